"""Runs inside a clean interpreter in an unzipped Lambda package: `python -I -S invoke.py`.

sys.path holds only the package folder, a boto3-only folder standing in for the Lambda runtime,
and the standard library. Reads API Gateway events (JSON lines) on stdin; prints responses.
"""

import json
import os
import sys

package_dir, runtime_dir = sys.argv[1], sys.argv[2]
sys.path[:0] = [package_dir, runtime_dir]
os.chdir(package_dir)  # Lambda's working directory is the package root (/var/task)

import handler  # noqa: E402  (Zappa's handler, from the zip)

for line in sys.stdin:
    response = handler.lambda_handler(json.loads(line), None)
    print(json.dumps({"response": response, "modules": sorted({m.split(".")[0] for m in sys.modules})}),
          flush=True)
