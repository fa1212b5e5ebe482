#!/usr/bin/python3
"""The layers of docs/architecture.md, checked on the sources (TAP).

1. A layer includes only its own headers and those of the layers below:
   model < io < server < ui < the entry points in src/.
2. No two files include each other: if a.c (or a.h) includes b.h, then
   b.c and b.h do not include a.h.
"""
import pathlib
import re
import sys

LAYERS = ["model", "io", "server", "ui", "."]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(top):
    src = pathlib.Path(top) / "src"
    owner = {}       # header name -> layer index
    files = {}       # path -> layer index
    for index, layer in enumerate(LAYERS):
        folder = src / layer
        for path in sorted(folder.glob("*.[ch]")):
            files[path] = index
            if path.suffix == ".h":
                owner[path.name] = index

    def module(path):
        return path.stem

    includes = {path: INCLUDE.findall(path.read_text(encoding="utf-8")) for path in files}
    results = []

    upward = []
    for path, layer in files.items():
        for name in includes[path]:
            if name in owner and owner[name] > layer:
                upward.append(f"{path.relative_to(top)} includes {name} of {LAYERS[owner[name]]}")
    results.append(("no layer includes a higher one", upward))

    # module a uses module b when a's .c or .h includes b.h
    uses = {}
    for path in files:
        for name in includes[path]:
            if name in owner and name != path.name:
                b = name[:-2]
                if b != module(path) and not b.startswith(module(path) + "-private"):
                    uses.setdefault(module(path), set()).add(b)
    mutual = sorted({tuple(sorted((a, b))) for a, bs in uses.items() for b in bs
                     if a in uses.get(b, set())})
    results.append(("no two files include each other", [f"{a} <-> {b}" for a, b in mutual]))

    print(f"1..{len(results)}")
    failed = 0
    for number, (name, problems) in enumerate(results, 1):
        if problems:
            failed += 1
            print(f"not ok {number} - {name}")
            for problem in problems:
                print(f"# {problem}")
        else:
            print(f"ok {number} - {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
