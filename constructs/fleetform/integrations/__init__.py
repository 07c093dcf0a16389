"""What fleetform talks to outside itself: Git (:mod:`.git`), GitLab's REST API
(:mod:`.gitlab`: one client, one error; the merge request note in
:mod:`.merge_request_note`), Terraform's saved plans (:mod:`.terraform_plan`) and its
state behind GitLab (:mod:`.terraform_state`), and files written whole or not at all
(:mod:`.files`).

Imports nothing of fleetform but :mod:`fleetform.errors`: every layer above may use it.
"""
