"""Schemas of hashicorp/aws 6.58.0 for the EKS stacks, as the stand-in serves them.

Transcribed from the provider's Go source at tag v6.58.0 (see PROVENANCE.md
beside this file for the files and how the source was read), in the format of
``schemas.py``: every top-level attribute and block of each type, cty types,
required/optional/computed, sensitive, replace (ForceNew) and defaults.
Descriptions, validators, ConflictsWith/ExactlyOneOf, deprecations and the
``timeouts`` blocks of SDKv2 types are left out; so are the resource identity
schemas (GetResourceIdentitySchemas) these resources also declare.

The AWS provider is a muxed provider: ``internal/provider/provider.go`` serves
the SDKv2 provider and the plugin-framework provider through ``tf5muxserver``,
so *every* type is served over protocol 5 (no nested attributes anywhere; the
framework types here use plain list/object attributes). The SDKv2 types speak
the legacy type system, the framework ones do not: ``FRAMEWORK_TYPES`` names the
framework ones (all three are data sources), ``legacy_type_system()`` answers
per type.

Provider v6 injects a top-level ``region`` attribute (optional+computed) into
every type whose service-package registration says
``Region: inttypes.ResourceRegionDefault()`` (here: the EKS types, aws_vpc and
aws_subnets), not into the global ones (IAM, aws_partition, aws_caller_identity).
For resources, CustomizeDiff interceptors set it to the provider's region at
plan time when unset (``defaultRegion``) and force replacement when it changes
(``forceNewIfRegionChanges``; null <-> the provider's region is no change), so it
is served here with ``replace=True``. ``tags_all`` is likewise filled at plan
time from ``default_tags`` and ``tags`` (``setTagsAll``).

SDKv2 serves a ``TypeList``/``TypeSet`` of ``*schema.Resource`` as a nested block
unless it is computed-only (then an attribute of list/set of objects); a block
that is Optional+Computed in the source stays a block (``OPTIONAL_COMPUTED_BLOCKS``
lists them: the provider fills them when the configuration leaves them out).
Block item counts follow ``helper/schema/core_schema.go``: Required gives
min_items 1, Optional drops MinItems. As in ``schemas.py``, the implicit ``id``
of SDKv2 types is served as computed.
"""

from __future__ import annotations

from schemas import (BOOL, NUM, STR, STR_MAP, STR_SET, STRS, A, Block, Nested,  # noqa: F401
                     comp, obj, opt, optc, req)

#: The version served; the provider's tag is v6.58.0.
AWS_VERSION = "6.58.0"

_TAGS = {"tags": opt(STR_MAP), "tags_all": optc(STR_MAP)}
#: The injected region of a regional resource (replacement when it changes).
_REGION_RESOURCE = {"region": optc(STR, replace=True)}
#: The injected region of a regional data source.
_REGION_DATA = {"region": optc(STR)}

# --------------------------------------------------------------------------- provider
# internal/provider/sdkv2/provider.go (NewProvider, assumeRoleSchema,
# assumeRoleWithWebIdentitySchema, endpointsSchema); the framework provider's
# Schema (internal/provider/framework/provider.go) is the same, as the mux needs.

#: Every service name of the ``endpoints`` block (each an optional string), in the
#: source's order.
AWS_ENDPOINT_SERVICES = tuple("""
    accessanalyzer account acm acmpca amp prometheus prometheusservice amplify
    apigateway apigatewayv2 appautoscaling applicationautoscaling appconfig appfabric
    appflow appintegrations appintegrationsservice applicationinsights
    applicationsignals appmesh apprunner appstream appsync arcregionswitch
    arczonalshift athena auditmanager autoscaling autoscalingplans backup batch
    bcmdataexports bedrock bedrockagent bedrockagentcore billing budgets ce
    costexplorer chatbot chime chimesdkmediapipelines chimesdkvoice cleanrooms cloud9
    cloudcontrol cloudcontrolapi cloudformation cloudfront cloudfrontkeyvaluestore
    cloudhsmv2 cloudhsm cloudsearch cloudtrail cloudwatch codeartifact codebuild
    codecatalyst codecommit codeconnections codeguruprofiler codegurureviewer
    codepipeline codestarconnections codestarnotifications cognitoidentity cognitoidp
    cognitoidentityprovider comprehend computeoptimizer configservice config connect
    connectcases controltower costoptimizationhub cur costandusagereportservice
    customerprofiles databrew gluedatabrew dataexchange datapipeline datasync datazone
    dax deploy codedeploy detective devicefarm devopsagent devopsguru directconnect
    dlm dms databasemigration databasemigrationservice docdb docdbelastic drs ds
    directoryservice dsql dynamodb ec2 ecr ecrpublic ecs efs eks elasticache
    elasticbeanstalk beanstalk elasticsearch es elasticsearchservice elastictranscoder
    elb elasticloadbalancing elbv2 elasticloadbalancingv2 emr emrcontainers
    emrserverless events eventbridge cloudwatchevents evidently cloudwatchevidently
    evs finspace firehose fis fms fsx gamelift glacier globalaccelerator glue grafana
    managedgrafana amg greengrass groundstation guardduty healthlake iam identitystore
    imagebuilder inspector inspector2 inspectorv2 interconnect internetmonitor
    invoicing iot ivs ivschat kafka msk kafkaconnect kendra keyspaces kinesis
    kinesisanalytics kinesisanalyticsv2 kinesisvideo kms lakeformation lambda
    lambdamicrovms launchwizard lexmodels lexmodelbuilding lexmodelbuildingservice lex
    lexv2models lexmodelsv2 licensemanager lightsail location locationservice logs
    cloudwatchlog cloudwatchlogs m2 macie2 mailmanager mediaconnect mediaconvert
    medialive mediapackage mediapackagev2 mediapackagevod mediastore memorydb mgn mpa
    mq mwaa mwaaserverless neptune neptunegraph networkfirewall networkflowmonitor
    networkmanager networkmonitor notifications notificationscontacts oam
    cloudwatchobservabilityaccessmanager observabilityadmin odb opensearch
    opensearchservice opensearchserverless organizations osis opensearchingestion
    outposts paymentcryptography pcaconnectorad pcs pinpoint pinpointsmsvoicev2 pipes
    polly pricing qbusiness qldb quicksight ram rbin recyclebin rds rdsdata
    rdsdataservice redshift redshiftdata redshiftdataapiservice redshiftserverless
    rekognition resiliencehub resiliencehubv2 resourceexplorer2 resourcegroups
    resourcegroupstaggingapi resourcegroupstagging rolesanywhere route53
    route53domains route53profiles route53recoverycontrolconfig
    route53recoveryreadiness route53resolver rum cloudwatchrum s3 s3api s3control
    s3files s3outposts s3tables s3vectors sagemaker savingsplans scheduler schemas
    secretsmanager securityhub securitylake serverlessrepo serverlessapprepo
    serverlessapplicationrepository servicecatalog servicecatalogappregistry
    appregistry servicediscovery servicequotas ses sesv2 sfn stepfunctions shield
    signer sns sqs ssm ssmcontacts ssmincidents ssmquicksetup ssmsap sso ssoadmin
    storagegateway sts swf synthetics taxsettings timestreaminfluxdb timestreamquery
    timestreamwrite transcribe transcribeservice transfer uxc verifiedpermissions
    vpclattice waf wafregional wafv2 wellarchitected workmail workspaces workspacesweb
    xray
""".split())

AWS_PROVIDER = Block(attrs={
    "access_key": opt(STR), "allowed_account_ids": opt(STR_SET),
    "custom_ca_bundle": opt(STR), "ec2_metadata_service_endpoint": opt(STR),
    "ec2_metadata_service_endpoint_mode": opt(STR), "forbidden_account_ids": opt(STR_SET),
    "http_proxy": opt(STR), "https_proxy": opt(STR), "insecure": opt(BOOL),
    "max_retries": opt(NUM), "no_proxy": opt(STR), "profile": opt(STR), "region": opt(STR),
    "retry_mode": opt(STR), "s3_use_path_style": opt(BOOL),
    "s3_us_east_1_regional_endpoint": opt(STR), "secret_key": opt(STR),
    "shared_config_files": opt(STRS), "shared_credentials_files": opt(STRS),
    "skip_credentials_validation": opt(BOOL),
    # nullable.TypeNullableBool: a string ("true"/"false") in the schema
    "skip_metadata_api_check": opt(STR),
    "skip_region_validation": opt(BOOL), "skip_requesting_account_id": opt(BOOL),
    "sts_region": opt(STR), "tag_policy_compliance": opt(STR), "token": opt(STR),
    "token_bucket_rate_limiter_capacity": opt(NUM), "use_dualstack_endpoint": opt(BOOL),
    "use_fips_endpoint": opt(BOOL), "user_agent": opt(STRS),
}, blocks={
    # no MaxItems: a chain of roles to assume
    "assume_role": Nested(Block(attrs={
        "duration": opt(STR), "external_id": opt(STR), "policy": opt(STR),
        "policy_arns": opt(STR_SET), "role_arn": opt(STR), "session_name": opt(STR),
        "source_identity": opt(STR), "tags": opt(STR_MAP), "transitive_tag_keys": opt(STR_SET),
    })),
    "assume_role_with_web_identity": Nested(Block(attrs={
        "duration": opt(STR), "policy": opt(STR), "policy_arns": opt(STR_SET),
        "role_arn": opt(STR), "session_name": opt(STR), "web_identity_token": opt(STR),
        "web_identity_token_file": opt(STR),
    }), max_items=1),
    "default_tags": Nested(Block(attrs={"tags": opt(STR_MAP)}), max_items=1),
    "endpoints": Nested(Block(attrs={name: opt(STR) for name in AWS_ENDPOINT_SERVICES}),
                        nesting="set"),
    "ignore_tags": Nested(Block(attrs={"keys": opt(STR_SET), "key_prefixes": opt(STR_SET)}),
                          max_items=1),
})

# --------------------------------------------------------------------------- EKS (SDKv2)
# internal/service/eks/cluster.go (resourceCluster)

_ENABLED_OC = Block(attrs={"enabled": optc(BOOL)})

AWS_EKS_CLUSTER = Block(
    attrs={
        "id": comp(STR), "arn": comp(STR),
        "bootstrap_self_managed_addons": opt(BOOL, replace=True, default=True),
        "certificate_authority": comp(["list", obj(data=STR)]),
        "cluster_id": comp(STR), "created_at": comp(STR),
        "deletion_protection": optc(BOOL),
        "enabled_cluster_log_types": opt(STR_SET),
        "endpoint": comp(STR),
        "force_update_version": opt(BOOL),
        "identity": comp(["list", obj(oidc=["list", obj(issuer=STR)])]),
        "name": req(STR, replace=True),
        "platform_version": comp(STR),
        "role_arn": req(STR, replace=True),
        "status": comp(STR),
        **_TAGS,
        # updated in place (UpdateClusterVersion), not ForceNew
        "version": optc(STR),
        **_REGION_RESOURCE,
    },
    blocks={
        # Optional+Computed
        "access_config": Nested(Block(attrs={
            "authentication_mode": optc(STR),
            # no Default at this tag (older releases defaulted it to true)
            "bootstrap_cluster_creator_admin_permissions": opt(BOOL, replace=True),
        }), max_items=1),
        # Optional+Computed; CustomizeDiff forces replacement when an existing
        # node_role_arn changes (validateAutoModeComputeConfigCustomizeDiff)
        "compute_config": Nested(Block(attrs={
            "enabled": optc(BOOL), "node_pools": opt(STR_SET), "node_role_arn": opt(STR),
        }), max_items=1),
        # Optional+Computed
        "control_plane_scaling_config": Nested(Block(attrs={"tier": optc(STR)}), max_items=1),
        # CustomizeDiff: removing it once set forces replacement
        "encryption_config": Nested(Block(
            attrs={"resources": req(STR_SET)},
            blocks={"provider": Nested(Block(attrs={"key_arn": req(STR)}),
                                       min_items=1, max_items=1)}), max_items=1),
        # Optional+Computed (and its elastic_load_balancing)
        "kubernetes_network_config": Nested(Block(
            attrs={"ip_family": optc(STR, replace=True),
                   "service_ipv4_cidr": optc(STR, replace=True),
                   "service_ipv6_cidr": comp(STR)},
            blocks={"elastic_load_balancing": Nested(_ENABLED_OC, max_items=1)}),
            max_items=1),
        "outpost_config": Nested(Block(
            attrs={"control_plane_instance_type": req(STR, replace=True),
                   "etcd_instance_type": optc(STR, replace=True),
                   "outpost_arns": req(STR_SET)},
            blocks={
                "control_plane_placement": Nested(Block(attrs={
                    "group_name": opt(STR, replace=True),
                    "spread_level": optc(STR, replace=True)}), max_items=1),
                # Optional+Computed
                "etcd_placement": Nested(Block(attrs={
                    "spread_level": optc(STR, replace=True)}), max_items=1),
            }), max_items=1),
        "remote_network_config": Nested(Block(blocks={
            # MinItems 1 in the source, dropped because Optional
            "remote_node_networks": Nested(Block(attrs={"cidrs": opt(STR_SET)}), max_items=1),
            "remote_pod_networks": Nested(Block(attrs={"cidrs": opt(STR_SET)}), max_items=1),
        }), max_items=1),
        # Optional+Computed
        "storage_config": Nested(Block(blocks={
            "block_storage": Nested(_ENABLED_OC, max_items=1)}), max_items=1),
        # Optional+Computed
        "upgrade_policy": Nested(Block(attrs={"support_type": optc(STR)}), max_items=1),
        "vpc_config": Nested(Block(attrs={
            "cluster_security_group_id": comp(STR),
            # CustomizeDiff: CUSTOMER_ROUTED -> AWS_MANAGED forces replacement
            "control_plane_egress_mode": optc(STR),
            "endpoint_private_access": opt(BOOL, default=False),
            "endpoint_public_access": opt(BOOL, default=True),
            "public_access_cidrs": optc(STR_SET),
            "security_group_ids": opt(STR_SET),
            "subnet_ids": req(STR_SET),
            "vpc_id": comp(STR),
        }), min_items=1, max_items=1),
        "zonal_shift_config": Nested(Block(attrs={"enabled": opt(BOOL)}), max_items=1),
    })

# internal/service/eks/node_group.go (resourceNodeGroup)
AWS_EKS_NODE_GROUP = Block(
    attrs={
        "id": comp(STR),
        "ami_type": optc(STR, replace=True), "arn": comp(STR),
        "capacity_type": optc(STR, replace=True),
        "cluster_name": req(STR, replace=True),
        "disk_size": optc(NUM, replace=True),
        "force_update_version": opt(BOOL),
        "instance_types": optc(STRS, replace=True),
        "labels": opt(STR_MAP),
        "node_group_name": optc(STR, replace=True),
        "node_group_name_prefix": optc(STR, replace=True),
        "node_role_arn": req(STR, replace=True),
        "release_version": optc(STR),
        "resources": comp(["list", obj(
            autoscaling_groups=["list", obj(name=STR)],
            remote_access_security_group_id=STR)]),
        "status": comp(STR),
        "subnet_ids": req(STR_SET, replace=True),
        **_TAGS,
        "version": optc(STR),
        **_REGION_RESOURCE,
    },
    blocks={
        "launch_template": Nested(Block(attrs={
            "id": optc(STR, replace=True), "name": optc(STR, replace=True),
            "version": req(STR)}), max_items=1),
        # Optional+Computed
        "node_repair_config": Nested(Block(
            attrs={"enabled": opt(BOOL, default=False),
                   "max_parallel_nodes_repaired_count": opt(NUM),
                   "max_parallel_nodes_repaired_percentage": opt(NUM),
                   "max_unhealthy_node_threshold_count": opt(NUM),
                   "max_unhealthy_node_threshold_percentage": opt(NUM)},
            blocks={"node_repair_config_overrides": Nested(Block(attrs={
                "min_repair_wait_time_mins": req(NUM),
                "node_monitoring_condition": req(STR),
                "node_unhealthy_reason": req(STR),
                "repair_action": req(STR)}))}),
            max_items=1),
        "remote_access": Nested(Block(attrs={
            "ec2_ssh_key": opt(STR, replace=True),
            "source_security_group_ids": opt(STR_SET, replace=True)}),
            max_items=1, replace=True),
        "scaling_config": Nested(Block(attrs={
            "desired_size": req(NUM), "max_size": req(NUM), "min_size": req(NUM)}),
            min_items=1, max_items=1),
        "taint": Nested(Block(attrs={"key": req(STR), "value": opt(STR), "effect": req(STR)}),
                        nesting="set", max_items=50),
        # Optional+Computed; exactly one of the two max_unavailable* when given
        "update_config": Nested(Block(attrs={
            "max_unavailable": opt(NUM), "max_unavailable_percentage": opt(NUM),
            "update_strategy": opt(STR)}), max_items=1),
        "warm_pool_config": Nested(Block(attrs={
            "max_group_prepared_capacity": optc(NUM), "min_size": optc(NUM),
            "pool_state": optc(STR), "reuse_on_scale_in": optc(BOOL)}), max_items=1),
    })

# internal/service/eks/access_entry.go (resourceAccessEntry)
AWS_EKS_ACCESS_ENTRY = Block(attrs={
    "id": comp(STR), "access_entry_arn": comp(STR),
    "cluster_name": req(STR, replace=True), "created_at": comp(STR),
    "kubernetes_groups": optc(STR_SET), "modified_at": comp(STR),
    "principal_arn": req(STR, replace=True),
    **_TAGS,
    "type": opt(STR, replace=True, default="STANDARD"),
    "user_name": optc(STR),
    **_REGION_RESOURCE,
})

# internal/service/eks/access_policy_association.go (resourceAccessPolicyAssociation):
# no Update (every argument forces replacement)
AWS_EKS_ACCESS_POLICY_ASSOCIATION = Block(
    attrs={
        "id": comp(STR), "associated_at": comp(STR),
        "cluster_name": req(STR, replace=True), "modified_at": comp(STR),
        "policy_arn": req(STR, replace=True), "principal_arn": req(STR, replace=True),
        **_REGION_RESOURCE,
    },
    blocks={"access_scope": Nested(Block(attrs={
        "namespaces": opt(STR_SET, replace=True), "type": req(STR, replace=True)}),
        min_items=1, max_items=1, replace=True)})

# --------------------------------------------------------------------------- IAM (SDKv2, global)
# internal/service/iam/role.go (resourceRole)
AWS_IAM_ROLE = Block(
    attrs={
        "id": comp(STR), "arn": comp(STR),
        # normalised JSON (StateFunc), equivalent policies suppressed
        "assume_role_policy": req(STR),
        "create_date": comp(STR), "description": opt(STR),
        "force_detach_policies": opt(BOOL, default=False),
        # deprecated
        "managed_policy_arns": optc(STR_SET),
        "max_session_duration": opt(NUM, default=3600),
        "name": optc(STR, replace=True), "name_prefix": optc(STR, replace=True),
        "path": opt(STR, replace=True, default="/"),
        "permissions_boundary": opt(STR),
        **_TAGS,
        "unique_id": comp(STR),
    },
    blocks={
        # deprecated; Optional+Computed
        "inline_policy": Nested(Block(attrs={"name": opt(STR), "policy": opt(STR)}),
                                nesting="set"),
    })

# internal/service/iam/role_policy_attachment.go (resourceRolePolicyAttachment)
AWS_IAM_ROLE_POLICY_ATTACHMENT = Block(attrs={
    "id": comp(STR), "policy_arn": req(STR, replace=True), "role": req(STR, replace=True),
})

# --------------------------------------------------------------------------- data sources
# internal/service/meta/partition_data_source.go (framework, global)
AWS_PARTITION_DATA = Block(attrs={
    "dns_suffix": comp(STR),
    # deprecated, "use partition"
    "id": optc(STR),
    "partition": comp(STR), "reverse_dns_prefix": comp(STR),
})

# internal/service/sts/caller_identity_data_source.go (framework, global)
AWS_CALLER_IDENTITY_DATA = Block(attrs={
    "account_id": comp(STR), "arn": comp(STR), "id": optc(STR), "user_id": comp(STR),
})

# internal/service/iam/session_context_data_source.go (SDKv2, global)
AWS_IAM_SESSION_CONTEXT_DATA = Block(attrs={
    "id": comp(STR), "arn": req(STR), "issuer_arn": comp(STR), "issuer_id": comp(STR),
    "issuer_name": comp(STR), "session_name": comp(STR),
})

# internal/service/eks/cluster_versions_data_source.go (framework, regional): the
# arguments are DescribeClusterVersions' filters; no "id" attribute. The element's
# dates are RFC 3339 strings, version_status one of UNSUPPORTED, STANDARD_SUPPORT,
# EXTENDED_SUPPORT.
AWS_EKS_CLUSTER_VERSION = obj(
    cluster_type=STR, cluster_version=STR, default_platform_version=STR,
    default_version=BOOL, end_of_extended_support_date=STR,
    end_of_standard_support_date=STR, kubernetes_patch_version=STR, release_date=STR,
    version_status=STR)
AWS_EKS_CLUSTER_VERSIONS_DATA = Block(attrs={
    "cluster_type": opt(STR),
    "cluster_versions": comp(["list", AWS_EKS_CLUSTER_VERSION]),
    "cluster_versions_only": opt(STRS),
    "default_only": opt(BOOL), "include_all": opt(BOOL),
    "version_status": opt(STR),
    **_REGION_DATA,
})

# internal/service/ec2/filters.go (customFiltersSchema, customFilterElement)
_EC2_FILTER = Nested(Block(attrs={"name": req(STR), "values": req(STR_SET)}), nesting="set")

# internal/service/ec2/vpc_data_source.go (SDKv2, regional)
AWS_VPC_DATA = Block(attrs={
    "arn": comp(STR), "cidr_block": optc(STR),
    "cidr_block_associations": comp(["list", obj(association_id=STR, cidr_block=STR,
                                                 state=STR)]),
    "default": optc(BOOL), "dhcp_options_id": optc(STR),
    "enable_dns_hostnames": comp(BOOL), "enable_dns_support": comp(BOOL),
    "enable_network_address_usage_metrics": comp(BOOL),
    # declared Optional+Computed in the source
    "id": optc(STR),
    "instance_tenancy": comp(STR),
    "ipv6_cidr_block_associations": comp(["set", obj(
        association_id=STR, ipv6_address_attribute=STR, ipv6_cidr_block=STR,
        ipv6_pool=STR, network_border_group=STR, ip_source=STR, state=STR)]),
    # deprecated
    "ipv6_cidr_block": comp(STR), "ipv6_association_id": comp(STR),
    "main_route_table_id": comp(STR), "owner_id": comp(STR),
    "state": optc(STR), "tags": optc(STR_MAP),
    **_REGION_DATA,
}, blocks={"filter": _EC2_FILTER})

# internal/service/ec2/vpc_subnets_data_source.go (SDKv2, regional)
AWS_SUBNETS_DATA = Block(attrs={
    "id": comp(STR), "ids": comp(STRS), "tags": optc(STR_MAP), **_REGION_DATA,
}, blocks={"filter": _EC2_FILTER})

# internal/service/ec2/ec2_availability_zones_data_source.go (SDKv2, regional)
AWS_AVAILABILITY_ZONES_DATA = Block(attrs={
    "id": comp(STR), "all_availability_zones": opt(BOOL), "exclude_names": opt(STR_SET),
    "exclude_zone_ids": opt(STR_SET), "group_names": comp(STR_SET), "names": comp(STRS),
    "state": opt(STR), "zone_ids": comp(STRS), **_REGION_DATA,
}, blocks={"filter": _EC2_FILTER})

# --------------------------------------------------------------------------- tables

AWS_RESOURCES = {
    "aws_eks_cluster": AWS_EKS_CLUSTER,
    "aws_eks_node_group": AWS_EKS_NODE_GROUP,
    "aws_eks_access_entry": AWS_EKS_ACCESS_ENTRY,
    "aws_eks_access_policy_association": AWS_EKS_ACCESS_POLICY_ASSOCIATION,
    "aws_iam_role": AWS_IAM_ROLE,
    "aws_iam_role_policy_attachment": AWS_IAM_ROLE_POLICY_ATTACHMENT,
}
AWS_DATA_SOURCES = {
    "aws_partition": AWS_PARTITION_DATA,
    "aws_caller_identity": AWS_CALLER_IDENTITY_DATA,
    "aws_iam_session_context": AWS_IAM_SESSION_CONTEXT_DATA,
    "aws_eks_cluster_versions": AWS_EKS_CLUSTER_VERSIONS_DATA,
    "aws_vpc": AWS_VPC_DATA,
    "aws_subnets": AWS_SUBNETS_DATA,
    "aws_availability_zones": AWS_AVAILABILITY_ZONES_DATA,
}

#: Plugin-framework types (no legacy type system): all data sources. Every other
#: type above is SDKv2 (legacy type system). No framework resource is used.
FRAMEWORK_DATA_SOURCES = frozenset({"aws_partition", "aws_caller_identity",
                                    "aws_eks_cluster_versions"})
FRAMEWORK_RESOURCES: frozenset = frozenset()
FRAMEWORK_TYPES = FRAMEWORK_DATA_SOURCES | FRAMEWORK_RESOURCES

#: Types with the injected top-level ``region`` attribute (Region: ResourceRegionDefault).
REGIONAL_TYPES = frozenset({
    "aws_eks_cluster", "aws_eks_node_group", "aws_eks_access_entry",
    "aws_eks_access_policy_association", "aws_eks_cluster_versions", "aws_vpc",
    "aws_subnets", "aws_availability_zones"})

#: Blocks (dotted paths) that are Optional+Computed in the source: the provider
#: fills them from the API when the configuration leaves them out.
OPTIONAL_COMPUTED_BLOCKS = {
    "aws_eks_cluster": ("access_config", "compute_config", "control_plane_scaling_config",
                        "kubernetes_network_config",
                        "kubernetes_network_config.elastic_load_balancing",
                        "outpost_config.etcd_placement", "storage_config",
                        "upgrade_policy"),
    "aws_eks_node_group": ("node_repair_config", "update_config"),
    "aws_iam_role": ("inline_policy",),
}


def legacy_type_system(kind: str, type_name: str) -> bool:
    """Whether the type speaks SDKv2's legacy type system. ``kind``: resource or data."""
    framework = FRAMEWORK_RESOURCES if kind == "resource" else FRAMEWORK_DATA_SOURCES
    return type_name not in framework


# schemas.py's PROVIDERS["aws"] (see _aws_entry there), for when this module was
# imported before schemas.
import schemas as _schemas  # noqa: E402

_schemas.PROVIDERS.setdefault("aws", _schemas._aws_entry())
