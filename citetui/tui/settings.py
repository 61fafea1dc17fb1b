"""The browser's user settings: the theme, and key overrides by binding id.

A JSON file in the user config directory, e.g. ``~/.config/citetui/tui.json``::

    {"theme": "nord", "keymap": {"hub.sort": "ctrl+s", "app.back": "backspace"}}

The binding ids are listed in the help screen (``?``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

DEFAULT_THEME = "textual-dark"


def default_settings_path() -> Path:
    """Where the settings file lives."""
    return Path(platformdirs.user_config_dir("citetui", appauthor=False)) / "tui.json"


@dataclass
class Settings:
    """What the user chose; ``problem`` says why the file could not be used, if it could not."""

    path: Path
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the settings; a missing file gives the defaults, a bad one a ``problem``."""
        path = path or default_settings_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            return cls(path, problem=f"{path}: ignored ({exc})")
        if not isinstance(data, dict):
            return cls(path, problem=f"{path}: ignored (not a JSON object)")
        theme = data.get("theme")
        keymap = data.get("keymap") or {}
        if not isinstance(keymap, dict):
            keymap = {}
        keymap = {str(k): str(v) for k, v in keymap.items() if isinstance(v, str)}
        return cls(path, theme if isinstance(theme, str) else DEFAULT_THEME, keymap)

    def save(self) -> str | None:
        """Write the settings (keeping keys we do not know); return a problem or None.

        A file that does not parse as a JSON object is the user's, half-edited: it is
        never overwritten (its keymap would be lost), and nothing is saved."""
        if self.problem is not None:
            return f"{self.path} is not valid settings, so it was left as it is: fix it to save"
        try:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                data = {}
            except (OSError, ValueError) as exc:
                return f"{self.path} does not parse ({exc}), so it was left as it is"
            if not isinstance(data, dict):
                return f"{self.path} is not a JSON object, so it was left as it is"
            data["theme"] = self.theme
            if self.keymap:
                data["keymap"] = self.keymap
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            return f"cannot save settings to {self.path}: {exc.strerror}"
        return None
