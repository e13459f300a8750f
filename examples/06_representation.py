"""Linear regression and representation: the same linear model, cartesian versus polar coordinates.

The course notes: "how the data is represented matters a great deal, for
example polar versus cartesian coordinates". Two concentric circles cannot be
split by a line in (x1, x2); in polar coordinates the class depends on the
radius alone and one threshold splits them. The same holds for regression: a
target that depends on the distance to the centre (the "ring") is invisible to
a line in (x1, x2) and a straight line in r. Then the notes' second point: a
ReLU network on the raw coordinates learns such a representation by itself.

    python examples/06_representation.py [--quick] [--plot lab.png]
"""

from __future__ import annotations

import argparse

from descenso import datasets, features
from descenso.lab import compare_representations


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less data and fewer epochs (a few seconds)")
    parser.add_argument(
        "--plot", metavar="PNG", help="also draw the circles in each representation to this file"
    )
    args = parser.parse_args(argv)
    n = 600 if args.quick else 2000

    X, y, info = datasets.load("circles", n=n, rng=0)
    print(f"1. classification: {info.description}, {n} points\n")
    # Polynomial degree 2 contains x1^2 + x2^2, the squared radius; the user's own formula
    # (parsed by a small safe expression language, never eval) gives the radius directly.
    radius = features.Expression(["sqrt(x1**2 + x2**2)"], keep_input=False)
    circles = compare_representations(
        X,
        y,
        ["raw", "polar", "polynomial", ("radius formula", radius)],
        model="linear",
        rng=0,
        plot=args.plot,
    )
    print(f"{circles}\n")
    print(
        f"a line in (x1, x2) is right {100 * circles.scores['raw']:.1f}% of the time (chance is 50%); "
        f"in polar coordinates {100 * circles.scores['polar']:.1f}%\n"
    )

    X, y, info = datasets.load("ring", n=n, rng=0)
    print(f"2. regression: {info.description}\n")
    ring = compare_representations(X, y, ["raw", "polar", "radial"], model="linear", rng=0)
    print(f"{ring}\n")
    print(
        f"linear regression on raw coordinates: R² {ring.scores['raw']:.3f}; "
        f"on the radius: R² {ring.scores['radial']:.3f}\n"
    )

    print("3. learning the representation: a ReLU network 2-32-32-1 on the raw coordinates\n")
    X, y, _ = datasets.load("circles", n=n, rng=0)
    learned = compare_representations(X, y, ["raw"], model="mlp", epochs=80 if args.quick else 200, rng=0)
    print(f"{learned}\n")
    print(f"ReLU network on raw coordinates: test accuracy {100 * learned.scores['raw']:.1f}%")
    if circles.plot:
        print(f"wrote {circles.plot}")


if __name__ == "__main__":
    main()
