"""The official MCP Python SDK (PyPI `mcp`) as a client of SpaceWatch's /mcp.

Usage: mcp_client.py URL HEADERS_JSON BUCKET
Initializes, lists the tools, calls storage_summary on BUCKET and an unknown bucket, and
prints one JSON object with what it saw.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def texts(result):
    return [c.text for c in result.content if getattr(c, "type", "") == "text"]


async def main(url: str, headers: dict, bucket: str) -> dict:
    async with create_mcp_http_client(headers=headers) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                listed = await session.list_tools()
                ok = await session.call_tool("storage_summary", {"bucket": bucket})
                missing = await session.call_tool("storage_summary", {"bucket": "no-such-bucket-here"})
                return {
                    "server": init.server_info.name,
                    "tools": [
                        {
                            "name": t.name,
                            "required": (t.input_schema or {}).get("required", []),
                            "read_only": bool(t.annotations and t.annotations.read_only_hint),
                        }
                        for t in listed.tools
                    ],
                    "ok": {
                        "is_error": bool(ok.is_error),
                        "structured": ok.structured_content,
                        "text": texts(ok),
                    },
                    "missing": {"is_error": bool(missing.is_error), "text": texts(missing)},
                }


if __name__ == "__main__":
    out = asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]))
    print(json.dumps(out))
