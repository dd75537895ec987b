"""`kb app`: start the web UI (Streamlit) on loopback, with the model and index warmed first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from kb.cli import main
from kb.config import Settings
from kb.errors import KbError


@main.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; the default keeps the UI on this machine."
)
@click.pass_obj
def app(settings: Settings, port: int, host: str) -> None:
    """Start the web UI (search, themes, evidence map, SPARQL console, export)."""
    from kb.knowledge_base import KnowledgeBase

    KnowledgeBase(settings)  # fail early, with the usual message, if nothing is built
    # The UI ships beside the library (app/ next to kb/), whatever project folder it serves.
    script = Path(__file__).resolve().parents[2] / "app" / "serve.py"
    if not script.exists():
        raise KbError(f"the web UI is missing from this installation ({script})")
    environment = {**os.environ, "KB_ROOT": str(settings.root.resolve())}
    click.echo(f"glocal-kb UI on http://{host}:{port}  (Ctrl-C stops it)")
    try:
        subprocess.run([sys.executable, str(script), "--port", str(port), "--host", host], env=environment, check=False)
    except KeyboardInterrupt:
        pass
