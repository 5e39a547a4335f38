"""The reference side of gwsync's MIME differential test.

For each message file named on the command line, prints one JSON line with
what Python's email package (policy.default) makes of it: the decoded
subject, the body part get_body(('plain', 'html')) chooses, its type and
decoded text, and the file names of the other leaf parts. A message/rfc822
part is a leaf here, as in gwsync: it is one attachment, not a body source.
"""
import email
import email.policy
import json
import sys


def leaves(part):
    if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list):
        for sub in part.get_payload():
            yield from leaves(sub)
    else:
        yield part


def text_of(part):
    try:
        return part.get_content()
    except Exception:  # unknown charset, broken encoding: what a reader would see
        raw = part.get_payload(decode=True) or b""
        return raw.decode("utf-8", errors="replace")


def describe(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = {"file": path, "subject": "", "body_type": "", "body": "", "attachments": []}
    try:
        out["subject"] = str(msg["subject"] or "")
    except Exception as e:
        out["subject_error"] = str(e)
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        out["body_type"] = body.get_content_subtype()
        out["body"] = text_of(body)
    for leaf in leaves(msg):
        if leaf is body:
            continue
        try:
            name = leaf.get_filename()
        except Exception:
            name = None
        if name:
            out["attachments"].append(str(name))
    return out


for path in sys.argv[1:]:
    try:
        print(json.dumps(describe(path)))
    except Exception as e:
        print(json.dumps({"file": path, "error": "%s: %s" % (type(e).__name__, e)}))
