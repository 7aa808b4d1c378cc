"""The command line and the server's start-up: flags and env vars (config.OPTIONS, --faults /
SNAPCOPY_EMULATOR_FAULTS) give the config at start, install_patches() changes moto, and moto's WSGI app,
wrapped by control.with_control_endpoint, is served until SIGTERM or SIGINT."""

import argparse
import json
import os
import signal
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from . import __doc__ as package_doc
from . import control, install_patches
from .config import OPTIONS

FAULTS_ENV = "SNAPCOPY_EMULATOR_FAULTS"


def _json_arg(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not JSON: {err}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=package_doc.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    for key, (flag, env, kind, default) in OPTIONS.items():
        # A string default goes through `type` like a flag's value, so bad env values are reported alike.
        value = os.environ.get(env, str(default))
        parser.add_argument(flag, dest=key, type=kind, default=value, metavar="N", help=f"env {env}, default {default}")
    example = '{"default": {"throttle": 0.1}, "actions": {"rds:CopyDBClusterSnapshot": {"lostResponse": 0.2}}}'
    faults, faults_help = os.environ.get(FAULTS_ENV, "{}"), f"env {FAULTS_ENV}, e.g. {example}"
    parser.add_argument("--faults", type=_json_arg, default=faults, metavar="JSON", help=faults_help)
    args = vars(parser.parse_args())
    try:
        control.apply(control.validated({**{key: args[key] for key in OPTIONS}, "faults": args["faults"]}))
    except ValueError as err:
        parser.error(str(err))

    install_patches()
    app = control.with_control_endpoint(DomainDispatcherApplication(create_backend_app))
    server = make_server(args["host"], args["port"], app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_address[1]
    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds some URLs (e.g. SQS queues) from it

    # shutdown() waits for serve_forever() to return, so it cannot run in the signal handler's thread.
    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"snapcopy emulator listening on http://{args['host']}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    print("snapcopy emulator stopped", flush=True)
