"""`python -m tests.fakes.motilal`: run the fake Motilal for the demo."""

from tests.fakes.motilal.server import main

main()
