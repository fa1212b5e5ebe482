/* test-headless.c: `heartsim --headless` as a user runs it */
int main (void) { return 0; }
