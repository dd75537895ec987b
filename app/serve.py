"""Start the web UI: warm the model and index in this process, then run Streamlit in it.

`kb app` runs this file. Warming here (not on the first visit) means the first search is as fast
as any other; the cached resources are shared by every session of this process.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    import resources  # noqa: E402  (the same module object the pages import)

    resources.warm()
    from streamlit.web import bootstrap

    flags = {
        "server.headless": True,
        "server.address": args.host,
        "server.port": args.port,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "browser.gatherUsageStats": False,
        "client.toolbarMode": "viewer",
        "global.developmentMode": False,
    }
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(HERE / "streamlit_app.py"), False, [], flags)


if __name__ == "__main__":
    main()
