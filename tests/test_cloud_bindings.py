"""fleetform's hand-written AWS, Azure and Google bindings against the pinned providers'
schemas.

No prebuilt binding of those versions is installed (each is hundreds of MB), so each
binding is checked against the stand-in's schema (``tests/terraform/schemas_aws.py``,
``schemas_azure.py``, ``schemas_google.py``, transcribed from the providers' sources
at those tags): every argument each class accepts, given every one, synthesizes to an
argument of that type (no computed-only attribute, no unknown name), a block as a
block, and every argument the provider requires is required by the class.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import pytest
from cdktf import TerraformStack, Testing

from fleetform.providers import aws, aws_eks, azurerm, google

sys.path.insert(0, str(Path(__file__).parent / "terraform"))
from schemas import PROVIDERS, Block  # noqa: E402

#: Each bound provider: its provider class, the keyword arguments it is built with here.
PROVIDER_CLASSES = {"aws": (aws.AwsProvider, {"region": "eu-west-1"}),
                    "azurerm": (azurerm.AzurermProvider, {}),
                    "google": (google.GoogleProvider, {"project": "acme-staging"})}
TOKEN = "${var.x}"
LIST_TOKEN = ["${var.x}"]

#: One value of each argument, by the name its class takes.
SAMPLES = {
    aws.IamRole: dict(assume_role_policy="{}", name_prefix="p-", path="/", description="d",
                      max_session_duration=3600, permissions_boundary="arn:b",
                      force_detach_policies=True, tags={"a": "b"}),
    aws.IamRolePolicyAttachment: dict(role="r", policy_arn="arn:p"),
    aws_eks.EksCluster: dict(
        name="c", role_arn="arn:r", version="1.33", bootstrap_self_managed_addons=True,
        enabled_cluster_log_types=["api"], tags={"a": "b"},
        vpc_config=aws_eks.EksClusterVpcConfig(
            subnet_ids=["s1", "s2"], endpoint_private_access=True, endpoint_public_access=True,
            public_access_cidrs=["0.0.0.0/0"], security_group_ids=["sg"]),
        access_config=aws_eks.EksClusterAccessConfig(
            authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False)),
    aws_eks.EksAccessEntry: dict(cluster_name="c", principal_arn="arn:p", type="STANDARD",
                                 kubernetes_groups=["g"], user_name="u", tags={"a": "b"}),
    aws_eks.EksAccessPolicyAssociation: dict(
        cluster_name="c", principal_arn="arn:p", policy_arn="arn:q",
        access_scope=aws_eks.EksAccessPolicyAssociationAccessScope(type="namespace",
                                                                   namespaces=["n"])),
    aws_eks.EksNodeGroup: dict(
        cluster_name="c", node_role_arn="arn:r", subnet_ids=["s"], node_group_name="g",
        instance_types=["m6i.large"], version="1.33", ami_type="AL2023_x86_64_STANDARD",
        capacity_type="ON_DEMAND", disk_size=20, labels={"a": "b"}, tags={"a": "b"},
        scaling_config=aws_eks.EksNodeGroupScalingConfig(desired_size=1, max_size=2,
                                                         min_size=1),
        taint=[aws_eks.EksNodeGroupTaint(key="k", value="v", effect="NO_SCHEDULE")]),
    aws.DataAwsPartition: {},
    aws.DataAwsCallerIdentity: {},
    aws.DataAwsIamSessionContext: dict(arn="arn:a"),
    aws_eks.DataAwsEksClusterVersions: dict(cluster_type="eks", default_only=False,
                                            cluster_versions_only=["1.33"],
                                            version_status="STANDARD_SUPPORT"),
    aws.DataAwsAvailabilityZones: dict(state="available", exclude_zone_ids=["use1-az3"],
                                       exclude_names=["x"]),
    aws.DataAwsVpc: dict(default=True, cidr_block="10.0.0.0/16"),
    aws.DataAwsSubnets: dict(tags={"a": "b"}, filter=[aws.DataAwsSubnetsFilter(
        name="vpc-id", values=["v"])]),
    azurerm.ResourceGroup: dict(name="g", location="westeurope", tags={"a": "b"}),
    azurerm.DataAzurermResourceGroup: dict(name="g"),
    azurerm.DataAzurermLocation: dict(location="westeurope"),
    azurerm.DataAzurermKubernetesServiceVersions: dict(location="westeurope",
                                                       version_prefix="1.33.",
                                                       include_preview=False),
    azurerm.KubernetesCluster: dict(
        name="c", location="westeurope", resource_group_name="g", dns_prefix="c",
        kubernetes_version="1.33.2", sku_tier="Free", local_account_disabled=False,
        tags={"a": "b"}, identity=azurerm.KubernetesClusterIdentity(type="SystemAssigned"),
        default_node_pool=azurerm.KubernetesClusterDefaultNodePool(
            name="system", vm_size="Standard_D4s_v5", auto_scaling_enabled=True, min_count=1,
            max_count=3, node_labels={"a": "b"}, orchestrator_version="1.33.2",
            temporary_name_for_rotation="tmp", tags={"a": "b"})),
    azurerm.KubernetesClusterNodePool: dict(
        name="batch", kubernetes_cluster_id="id", vm_size="Standard_F8s_v2", node_count=1,
        auto_scaling_enabled=False, min_count=None, max_count=None, node_labels={"a": "b"},
        node_taints=["a=b:NoSchedule"], orchestrator_version="1.33.2", tags={"a": "b"}),
    google.ContainerCluster: dict(
        name="c", location="europe-west1", project="p", remove_default_node_pool=True,
        initial_node_count=1, deletion_protection=False, min_master_version="1.33",
        resource_labels={"a": "b"},
        release_channel=google.ContainerClusterReleaseChannel(channel="REGULAR")),
    google.ContainerNodePool: dict(
        cluster="c", name="p", location="europe-west1", project="p", node_count=None,
        initial_node_count=1, version="1.33",
        autoscaling=google.ContainerNodePoolAutoscaling(min_node_count=1, max_node_count=2),
        management=google.ContainerNodePoolManagement(auto_repair=True, auto_upgrade=True),
        node_config=google.ContainerNodePoolNodeConfig(
            machine_type="e2-standard-4", labels={"a": "b"}, resource_labels={"a": "b"},
            oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
            taint=[google.ContainerNodePoolNodeConfigTaint(key="k", value="v",
                                                           effect="NO_SCHEDULE")])),
    google.DataGoogleContainerEngineVersions: dict(location="europe-west1", project="p",
                                                   version_prefix="1.33."),
}
#: Arguments that exclude one in SAMPLES (the provider's ConflictsWith), given alone.
ALTERNATIVES = {aws.IamRole: dict(assume_role_policy="{}", name="r"),
                azurerm.KubernetesClusterNodePool: dict(
                    name="batch", kubernetes_cluster_id="id", vm_size="Standard_F8s_v2",
                    min_count=1, max_count=2)}
META = {"scope", "id", "meta"}


def _provider(cls: type) -> str:
    return cls._metadata.provider_name  # type: ignore[attr-defined]


def _schemas(cls: type) -> tuple[Block, dict, dict]:
    _, _, schema, resources, data_sources, _ = PROVIDERS[_provider(cls)]
    return schema, resources, data_sources


def _is_data(cls: type) -> bool:
    from fleetform.providers.binding import DataSource
    return issubclass(cls, DataSource)


def _synth(cls: type, kwargs: dict) -> tuple[str, dict]:
    stack = TerraformStack(Testing.app(), "t")
    provider, config = PROVIDER_CLASSES[_provider(cls)]
    provider(stack, "p", **config)
    cls(stack, "x", **kwargs)
    doc = json.loads(Testing.synth(stack))
    [(type_name, items)] = doc["data" if _is_data(cls) else "resource"].items()
    [body] = items.values()
    return type_name, body


def _problems(block: Block, value: dict, where: str) -> list[str]:
    found = []
    for key, given in value.items():
        if key == "//":
            continue
        if key in block.attrs:
            if not block.attrs[key].optional and not block.attrs[key].required:
                found.append(f"{where}.{key}: computed only, not an argument")
        elif key in block.blocks:
            nested = block.blocks[key]
            items = given if isinstance(given, list) else [given]
            if not isinstance(given, list) and nested.max_items != 1:
                found.append(f"{where}.{key}: a block of up to {nested.max_items or 'any'} "
                             "items given as one object")
            for i, item in enumerate(items):
                found += _problems(nested.block, item, f"{where}.{key}[{i}]")
        else:
            found.append(f"{where}.{key}: not in the provider's schema")
    return found


def _classes():
    for cls in SAMPLES:
        yield pytest.param(cls, id=cls.__name__)


@pytest.mark.parametrize("cls", list(_classes()))
def test_every_argument_of_the_binding_is_one_of_the_providers(cls):
    parameters = set(inspect.signature(cls.__init__).parameters) - META - {"self"}
    samples = [SAMPLES[cls], *([ALTERNATIVES[cls]] if cls in ALTERNATIVES else [])]
    assert parameters == set().union(*samples), "give every argument in SAMPLES"
    _, resources, data_sources = _schemas(cls)
    for sample in samples:
        type_name, body = _synth(cls, sample)
        assert type_name == cls._type
        schema = (data_sources if _is_data(cls) else resources)[type_name]
        assert _problems(schema, body, type_name) == []
        assert set(body) - {"//"} == {k for k, v in sample.items() if v is not None}


@pytest.mark.parametrize("cls", list(_classes()))
def test_what_the_provider_requires_the_binding_requires(cls):
    _, resources, data_sources = _schemas(cls)
    schema = (data_sources if _is_data(cls) else resources)[cls._type]
    required = {n for n, a in schema.attrs.items() if a.required} | {
        n for n, b in schema.blocks.items() if b.min_items >= 1}
    defaults = {n for n, p in inspect.signature(cls.__init__).parameters.items()
                if p.default is inspect.Parameter.empty} - META - {"self"}
    assert required == defaults


#: Types the stand-ins serve for their own tests that no fleetform stack uses.
NOT_BOUND = {"google_client_config", "google_compute_machine_types"}


@pytest.mark.parametrize("provider", sorted(PROVIDER_CLASSES))
def test_every_type_the_stand_in_serves_is_bound(provider):
    _, _, _, resources, data_sources, _ = PROVIDERS[provider]
    bound = {cls._type for cls in SAMPLES if _provider(cls) == provider}
    assert bound == (set(resources) | set(data_sources)) - NOT_BOUND


@pytest.mark.parametrize("provider, kwargs", [
    ("aws", dict(region="eu-west-1", profile="p", allowed_account_ids=["1"], max_retries=3,
                 default_tags=[{"tags": {"a": "b"}}])),
    ("azurerm", dict(subscription_id="00000000-0000-0000-0000-000000000000",
                     resource_provider_registrations="none")),
    ("google", dict(project="p", region="europe-west1", zone="europe-west1-b")),
])
def test_the_providers_take_no_credential_argument(provider, kwargs):
    cls = PROVIDER_CLASSES[provider][0]
    stack = TerraformStack(Testing.app(), "t")
    cls(stack, "p", **kwargs)
    [block] = json.loads(Testing.synth(stack))["provider"][provider]
    assert _problems(PROVIDERS[provider][2], block, "provider") == []
    assert not set(inspect.signature(cls.__init__).parameters) & {
        "access_key", "secret_key", "token", "client_secret", "credentials", "access_token"}


@pytest.mark.parametrize("call, message", [
    (lambda s: aws.IamRole(s, "r", assume_role_policy=3),
     "IamRole: assume_role_policy must be a string or a Terraform token, got int 3"),
    (lambda s: aws_eks.EksNodeGroup(s, "g", cluster_name="c", node_role_arn="r",
                                    subnet_ids="s", scaling_config={}),
     "EksNodeGroup: subnet_ids must be a list of strings or a Terraform token, got str 's'"),
    (lambda s: aws_eks.EksNodeGroup(s, "g", cluster_name="c", node_role_arn="r",
                                    subnet_ids=["s"], scaling_config={"desired_size": 1}),
     "EksNodeGroup: scaling_config: "),
    (lambda s: aws_eks.EksCluster(s, "c", name="c", role_arn="r", vpc_config=[]),
     "EksCluster: vpc_config must be a EksClusterVpcConfig or a mapping, got list []"),
])
def test_a_wrong_argument_is_a_type_error_naming_the_class_and_the_argument(call, message):
    stack = TerraformStack(Testing.app(), "t")
    with pytest.raises(TypeError) as info:
        call(stack)
    assert str(info.value).startswith(message)


def test_tokens_fit_every_kind():
    _, body = _synth(aws_eks.EksNodeGroup, dict(
        cluster_name=TOKEN, node_role_arn=TOKEN, subnet_ids=LIST_TOKEN, instance_types=LIST_TOKEN,
        scaling_config=aws_eks.EksNodeGroupScalingConfig(desired_size=1, max_size=1,
                                                         min_size=1)))
    assert body["subnet_ids"] == LIST_TOKEN and body["cluster_name"] == TOKEN
