"""The tests' ``aws``: only ``aws eks get-token``, against the fake cloud.

The harness puts a launcher for it first on PATH (``bin/aws`` in a workspace),
so the Kubernetes, Helm and Argo CD stand-ins' exec plugins run it as the real
providers run the AWS CLI. Like the real command it makes no EKS call: it
finds credentials in the environment (access keys, web identity with
AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or a profile), assumes the role
for a web identity (STS, which here needs no state), presigns an STS
GetCallerIdentity URL bound to the cluster's name at the cloud's time
(``FLEETFORM_STANDIN_CLOUD``, read without its lock: the file is always replaced
whole) and prints the ExecCredential. Anything else it refuses, saying so.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cloud_aws  # noqa: E402

USAGE = ("usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
         "To see help text, you can run:\n\n  aws help\n  aws <command> help\n"
         "  aws <command> <subcommand> help\n")
#: botocore / awscli exit codes: usage errors, and failures of the command.
USAGE_ERROR, FAILED = 252, 255
GLOBAL_FLAGS = {"--debug", "--no-verify-ssl", "--no-paginate", "--no-cli-pager",
                "--no-sign-request"}
GLOBAL_OPTIONS = {"--region", "--output", "--profile", "--endpoint-url", "--query",
                  "--color", "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle"}


def fail(message: str, code: int = FAILED) -> int:
    sys.stderr.write(message if message.endswith("\n") else message + "\n")
    return code


def parse(argv: list[str]) -> tuple[list[str], dict]:
    words, options, i = [], {}, 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in GLOBAL_FLAGS:
                options[name] = True
            elif eq:
                options[name] = value
            elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                options[name] = argv[i + 1]
                i += 1
            else:
                options[name] = None
        else:
            words.append(arg)
        i += 1
    return words, options


def get_token(options: dict, env: dict) -> int:
    known = GLOBAL_OPTIONS | GLOBAL_FLAGS | {"--cluster-name"}
    unknown = sorted(set(options) - known)
    if unknown:
        if "--role-arn" in unknown or "--cluster-id" in unknown:
            return fail(f"aws (tests' stand-in): eks get-token {unknown[0]} is not modelled; "
                        "only --cluster-name, --region, --output and --profile are",
                        USAGE_ERROR)
        return fail(f"{USAGE}\naws: error: Unknown options: {', '.join(unknown)}", USAGE_ERROR)
    cluster = options.get("--cluster-name")
    if not cluster:
        return fail(f"{USAGE}\naws: error: the following arguments are required: "
                    "--cluster-name", USAGE_ERROR)
    output = options.get("--output") or env.get("AWS_DEFAULT_OUTPUT") or "json"
    if output != "json":
        return fail(f"aws (tests' stand-in): --output {output} is not modelled; only json is",
                    USAGE_ERROR)
    if options.get("--profile"):
        env = dict(env, AWS_PROFILE=options["--profile"])
        env.pop("AWS_ACCESS_KEY_ID", None)
        env.pop("AWS_SECRET_ACCESS_KEY", None)
    region = options.get("--region") or cloud_aws.env_region(env)
    if not region:
        return fail('\nYou must specify a region. You can also configure your region by '
                    'running "aws configure".')
    path = env.get("FLEETFORM_STANDIN_CLOUD")
    if not path:
        return fail("aws (tests' stand-in): FLEETFORM_STANDIN_CLOUD is not set: this aws only "
                    "works against the tests' fake cloud")
    cloud = json.loads(Path(path).read_text())
    try:
        creds = cloud_aws.resolve_credentials(cloud, env, f"botocore-session-{cloud['now']}")
    except cloud_aws.NoCredentials:
        return fail('\nUnable to locate credentials. You can configure credentials by running '
                    '"aws configure".')
    except cloud_aws.ProfileNotFound as exc:
        return fail(f"\nThe config profile ({exc.name}) could not be found")
    except cloud_aws.AwsError as exc:
        return fail(f"\n{exc.cli()}")
    except OSError as exc:
        # botocore reads the web identity token file and lets the OSError through
        return fail(f"\n[Errno {exc.errno}] {exc.strerror}: '{exc.filename}'")
    # awscli's get_token: the credential's API version follows KUBERNETES_EXEC_INFO.
    api_version = "client.authentication.k8s.io/v1beta1"
    try:
        info = json.loads(env.get("KUBERNETES_EXEC_INFO") or "{}")
        if info.get("apiVersion") in ("client.authentication.k8s.io/v1",
                                      "client.authentication.k8s.io/v1beta1"):
            api_version = info["apiVersion"]
    except ValueError:
        pass
    token = cloud_aws.presign_eks_token(cloud, creds, cluster, region)
    credential = {"kind": "ExecCredential", "apiVersion": api_version, "spec": {},
                  "status": {"expirationTimestamp": cloud_aws.iso(
                      cloud["now"], cloud_aws.EKS_TOKEN_EXPIRY_SHOWN), "token": token}}
    sys.stdout.write(json.dumps(credential, indent=4) + "\n")
    return 0


def main(argv: list[str]) -> int:
    words, options = parse(argv)
    if words[:2] == ["eks", "get-token"] and len(words) == 2:
        return get_token(options, dict(os.environ))
    if not words:
        return fail(f"{USAGE}\naws: error: the following arguments are required: command",
                    USAGE_ERROR)
    return fail(f"aws (tests' stand-in): only `aws eks get-token --cluster-name NAME "
                f"[--region REGION] [--output json]` is modelled, not `aws {' '.join(argv)}`",
                USAGE_ERROR)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
