"""snapcopy's local AWS emulator: moto's server plus realistic DB cluster snapshot copies.

The file that is run (`python emulator/server.py --help`: scripts/lib/emulator.ts, the stack scripts and
emulator/Dockerfile start it so). What it does is in the package beside it, emulator/snapcopy_emulator/:
its __init__.py says what the emulator changes of moto, which module holds what, and in what order the
changes to moto are installed.
"""

from snapcopy_emulator.main import main  # this file's directory is on sys.path when it is run

if __name__ == "__main__":
    main()
