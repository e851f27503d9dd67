"""Where the project's own files are; found from this file, never configured."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
