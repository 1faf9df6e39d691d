"""Terminal settings, each declared once: key, type, default and a title in both languages.

Stored as JSON under the platform's config directory (``NAKAMA_SETTINGS`` overrides the
path). Old files are upgraded by numbered functions, as Picard does, so a shop's settings
survive an update.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from wire.errors import NakamaError

VERSION = 1


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    type: type
    default: Any
    ja: str
    en: str


OPTIONS: tuple[Option, ...] = (
    Option("firm", str, "", "自社コード", "This terminal's firm code"),
    Option("lang", str, "ja", "表示言語 (ja / en)", "Interface language (ja / en)"),
    Option(
        "demo",
        bool,
        True,
        "デモモード (機器なしで模擬機器とハブ)",
        "Demo mode (simulated devices and hub)",
    ),
    Option(
        "devices",
        list,
        [],
        "機器の接続先 URL の一覧",
        "Device URLs (gauges, scales, scanners, machines)",
    ),
    Option(
        "camera",
        str,
        "",
        "カメラ (例 camera://0, sim://camera?...)",
        "Camera source (camera://0, sim://camera?...)",
    ),
    Option("hub_url", str, "", "ハブの URL", "Hub URL"),
    Option(
        "operator",
        str,
        "",
        "コマンドで使う作業者 (ID またはバッジ)",
        "Operator the command line acts as (id or badge)",
    ),
    Option(
        "screen_dpi",
        int,
        0,
        "画面の密度 dpi (0: 画面の申告どおり。15.6型 1920×1080 は 141)",
        "Screen density in dpi (0: as the screen reports; 15.6-inch 1920×1080 is 141)",
    ),
    Option(
        "traveler_dir",
        str,
        "",
        "工程表 PDF の保存先 (空欄: 書類フォルダ/Nakama)",
        "Where traveler PDFs are written (empty: Documents/Nakama)",
    ),
    Option(
        "backup_keep",
        int,
        14,
        "毎日のバックアップを残す数 (0: 取らない)",
        "Daily backups to keep (0: none)",
    ),
    Option(
        "backup_dir",
        str,
        "",
        "バックアップの保存先 (空欄: データベースの横の backups)",
        "Where backups go (empty: backups/ beside the database)",
    ),
    Option(
        "idle_sign_out_minutes",
        int,
        15,
        "操作がないと自動でサインアウトするまでの分 (0: しない)",
        "Minutes without a touch, key or scan before the operator is signed out (0: never)",
    ),
    Option(
        "undo_seconds",
        int,
        60,
        "「記録を取り消す」ボタンを出しておく秒数",
        "Seconds the “Undo this record” button stays after each record",
    ),
    Option(
        "printer",
        str,
        "",
        "工程表の印刷先 (空欄: 毎回選ぶ, pdf: PDF のみ, それ以外: プリンター名)",
        "Where travelers print (empty: ask each time, pdf: PDF only, else a printer's name)",
    ),
    Option(
        "defect_codes",
        list,
        [],
        "自社の不良コード (CODE=日本語名/English name)",
        "The firm's own defect codes (CODE=日本語名/English name)",
    ),
    Option(
        "pause_reasons",
        list,
        [],
        "自社の中断理由 (CODE=日本語名/English name)",
        "The firm's own pause reasons (CODE=日本語名/English name)",
    ),
)
PRINT_ASK, PRINT_PDF = "", "pdf"
BY_KEY = {o.key: o for o in OPTIONS}

# version N -> function upgrading a version N-1 dict; append, never edit.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingsError(NakamaError, ValueError):
    """``code``: unknown_setting, bad_value."""

    def __init__(self, code: str, key: str) -> None:
        super().__init__(f"{code}: {key}")
        self.code, self.key = code, key


def traveler_dir(settings: Settings) -> Path:
    """Where the app writes traveler PDFs for the printer."""
    if settings["traveler_dir"]:
        return Path(settings["traveler_dir"])
    return Path(platformdirs.user_documents_dir()) / "Nakama"


def backup_dir(settings: Settings) -> Path | None:
    """Where backups go: the ``backup_dir`` setting, or None (``backups/`` beside the store)."""
    return Path(settings["backup_dir"]) if settings["backup_dir"] else None


def default_path() -> Path:
    env = os.environ.get("NAKAMA_SETTINGS")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("nakama", "Nakama")) / "settings.json"


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.values: dict[str, Any] = {o.key: o.default for o in OPTIONS}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # unreadable settings fall back to defaults; the file is left for a person
        version = int(data.pop("_version", 1)) if isinstance(data, dict) else VERSION
        for v in range(version + 1, VERSION + 1):
            data = UPGRADES[v](data)
        for key, value in data.items():
            if key in BY_KEY and type(value) is BY_KEY[key].type:
                self.values[key] = value

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, text: str) -> None:
        """Set from text as typed on the command line; lists are comma-separated."""
        opt = BY_KEY.get(key)
        if opt is None:
            raise SettingsError("unknown_setting", key)
        value: Any
        if opt.type is bool:
            if text.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise SettingsError("bad_value", key)
            value = text.lower() in ("true", "1", "yes", "on")
        elif opt.type is int:
            try:
                value = int(text)
            except ValueError:
                raise SettingsError("bad_value", key) from None
            if key == "screen_dpi" and not (value == 0 or 40 <= value <= 600):
                raise SettingsError("bad_value", key)
        elif opt.type is list:
            value = [part.strip() for part in text.split(",") if part.strip()]
        elif opt.type is int:
            try:
                value = int(text)
            except ValueError:
                raise SettingsError("bad_value", key) from None
            if value < 0:
                raise SettingsError("bad_value", key)
        else:
            value = text
        if key == "lang" and value not in ("ja", "en"):
            raise SettingsError("bad_value", key)
        self.values[key] = value

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"_version": VERSION, **self.values}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        os.replace(tmp, self.path)  # atomic: a power cut leaves the old file or the new one
