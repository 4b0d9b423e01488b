"""Jupyter kernel messages over a kernel's websocket, as JupyterLab sends them."""

import json
import uuid

import websocket


def send_request(ws, msg_type, content, username="test"):
    """Send a shell request of ``msg_type``; return its message id."""
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": msg_type,
                    "username": username,
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                    "date": "",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": content,
            }
        )
    )
    return msg_id


def replies(ws, msg_id):
    """The messages that answer ``msg_id``, as they come."""
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            yield msg


def execute(ws, code):
    """Run ``code``; return its stdout, or fail with the kernel's traceback."""
    content = {
        "code": code,
        "silent": False,
        "store_history": False,
        "user_expressions": {},
        "allow_stdin": False,
    }
    out = []
    for msg in replies(ws, send_request(ws, "execute_request", content)):
        kind = msg["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            raise AssertionError("kernel error: " + "\n".join(msg["content"]["traceback"]))
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)


def kernel_info_round_trip(ws):
    """Ask for kernel info and wait for the reply."""
    for msg in replies(ws, send_request(ws, "kernel_info_request", {}, username="bench")):
        if msg["msg_type"] == "kernel_info_reply":
            return


def connect(base_url, kernel_id, headers, timeout=30, verify=True):
    """A websocket to kernel ``kernel_id`` of the server at ``base_url`` (over TLS checked
    against the CA file ``verify`` when it is one)."""
    url = base_url.replace("https://", "wss://").replace("http://", "ws://")
    return websocket.create_connection(
        url + f"api/kernels/{kernel_id}/channels",
        header=[f"{k}: {v}" for k, v in headers.items()],
        timeout=timeout,
        sslopt={"ca_certs": verify} if isinstance(verify, str) else None,
    )
