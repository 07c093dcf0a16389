"""Schemas of hashicorp/google 7.45.0 for the GKE stacks, as the stand-in serves them.

Transcribed from the provider's Go source at tag v7.45.0 (commit
6f756229ab21d14d238c6280d2255262e4cccfc4; see PROVENANCE.md beside this file), in the
format of ``schemas.py``: every top-level attribute and block of each type, nested
blocks in full, cty types, required/optional/computed, sensitive, replace (ForceNew)
and defaults. Descriptions, validators, ConflictsWith/ExactlyOneOf/AtLeastOneOf,
DiffSuppressFuncs, deprecations, the SDKv2 ``timeouts`` blocks and the provider's
``provider_meta`` schema (``module_name``) are left out.

hashicorp/google muxes an SDKv2 provider and a plugin-framework provider over protocol 5
(``main.go``: ``tf5muxserver``). Every type here is SDKv2 (legacy type system) except the
data source ``google_client_config`` (framework: ``FRAMEWORK_TYPES``).

How SDKv2 serves a schema (``helper/schema/core_schema.go``), as applied here: a
``TypeList``/``TypeSet`` of ``*schema.Resource`` is a nested block unless it is
computed-only (then an attribute of list/set of objects); Required gives min_items 1,
Optional drops MinItems; ``TypeInt``/``TypeFloat`` are numbers; a ``TypeMap`` without
``Elem`` is a map of strings. Two things the wire schema cannot say are listed beside it:
``OPTIONAL_COMPUTED_BLOCKS`` (Optional+Computed blocks: the provider fills them when the
configuration leaves them out, and a plan keeps them from state) and
``FORCE_NEW_BLOCKS`` (blocks with ForceNew on the block itself: in SDKv2 that forces
replacement only when the number of items changes, ``node_pool.#``; a change inside
follows the nested attributes' own ForceNew). So ``Nested.replace`` is never set here.
As in ``schemas.py``, the implicit ``id`` of SDKv2 types is served as computed.
"""

from __future__ import annotations

from schemas import (BOOL, NUM, STR, STR_MAP, STR_SET, STRS, A, Block, Nested,  # noqa: F401
                     comp, obj, opt, optc, req)

#: The version served; the provider's tag is v7.45.0 (the newest 7.x tag).
GOOGLE_VERSION = "7.45.0"


def _with_id(block: Block) -> Block:
    return Block(attrs={"id": comp(STR), **block.attrs}, blocks=block.blocks)


# --------------------------------------------------------------------------- provider
# google/provider/provider.go (Provider); google/fwprovider/framework_provider.go (Schema)
# declares the same, as the mux requires.

#: Every ``<product>_custom_endpoint`` attribute (each an optional string), in the source's
#: order; the first five are tombstoned (nonfunctional) fields the source still declares.
GOOGLE_CUSTOM_ENDPOINTS = tuple("""
    core_billing billing resource_manager3 iam cloud_resource_manager access_approval
    access_context_manager active_directory agentic_applications agent_identity
    agent_registry alloydb apigee apihub apikeys app_engine apphub artifact_registry
    assured_workloads backup_dr beyondcorp biglake biglake_hive biglake_iceberg
    big_query bigquery_analytics_hub bigquery_connection bigquery_datapolicy
    bigquery_datapolicyv2 bigquery_data_transfer bigquery_reservation bigtable
    billing_budgets binary_authorization blockchain_node_engine certificate_manager ces
    chronicle cloud_asset cloud_billing cloud_build cloudbuildv2 clouddeploy
    clouddomains cloud_functions cloudfunctions2 cloud_identity cloud_ids cloud_quotas
    cloud_run cloud_run_v2 cloud_scheduler cloud_security_compliance cloud_support
    cloud_tasks colab composer compute config contact_center_insights container
    container_analysis container_attached container_aws container_azure
    database_migration_service data_catalog dataflow dataform data_fusion data_lineage
    data_loss_prevention data_pipeline dataplex dataproc dataproc_gdc dataproc_metastore
    datastream deployment_manager developer_connect dialogflow dialogflow_cx
    discovery_engine dns document_ai document_ai_warehouse edgecontainer edgenetwork
    essential_contacts eventarc filestore firebase_app_check firebase_app_hosting
    firebase_data_connect firebase_remote_config firebaserules firestore gemini
    gke_backup gke_hub gke_hub2 gkeonprem healthcare hypercomputecluster iam2 iam3
    iam_beta iam_credentials iam_workforce_pool iap identity_platform
    integration_connectors integrations kms license_manager logging looker lustre
    managed_kafka memcache memorystore migration_center ml_engine model_armor
    model_armor_global monitoring netapp network_connectivity network_connectivityv1
    network_management network_security network_services notebooks observability
    oracle_database org_policy os_config os_config_v2 os_login parallelstore
    parameter_manager parameter_manager_regional privateca privileged_access_manager
    public_ca pubsub pubsub_lite recaptcha_enterprise redis resource_manager
    resource_manager_v3 secret_manager secret_manager_regional secure_source_manager
    security_center security_center_management security_center_v2 securityposture
    service_directory service_management service_networking service_usage
    site_verification source_repo spanner sql storage storage_batch_operations
    storage_control storage_insights storage_transfer tags tags_location transcoder
    vector_search vertex_ai vmwareengine vpc_access workbench workflows
    workload_identity workstations
""".split())

GOOGLE_PROVIDER = Block(attrs={
    "credentials": opt(STR), "access_token": opt(STR),
    "impersonate_service_account": opt(STR), "impersonate_service_account_delegates": opt(STRS),
    "project": opt(STR), "billing_project": opt(STR), "region": opt(STR), "zone": opt(STR),
    "scopes": opt(STRS), "universe_domain": opt(STR), "user_project_override": opt(BOOL),
    "request_timeout": opt(STR), "poll_interval": opt(STR), "deletion_policy": opt(STR),
    "request_reason": opt(STR), "default_labels": opt(STR_MAP),
    # Default: true in the SDK schema (defaults of a provider block are the provider's own)
    "add_terraform_attribution_label": opt(BOOL),
    "terraform_attribution_label_addition_strategy": opt(STR),
    "prefer_global_endpoints": opt(BOOL), "prefer_regional_endpoints": opt(BOOL),
    **{f"{name}_custom_endpoint": opt(STR) for name in GOOGLE_CUSTOM_ENDPOINTS},
}, blocks={
    "external_credentials": Nested(Block(attrs={
        "audience": req(STR), "service_account_email": req(STR), "identity_token": req(STR),
    }), max_items=1),
    "batching": Nested(Block(attrs={"send_after": opt(STR), "enable_batching": opt(BOOL)}),
                       max_items=1),
})

# --------------------------------------------------------------------------- GKE (SDKv2)
# google/services/container/node_config.go (schemaNodeConfig),
# resource_container_node_pool.go (schemaNodePool, schemaBlueGreenSettings,
# ResourceContainerNodePool), resource_container_cluster.go (ResourceContainerCluster,
# clusterSchemaNodePoolDefaults, masterAuthorizedNetworksConfig). The text below was laid
# out from those schema literals; the O+C and ForceNew-block tables at the end likewise.

#: schemaNodeConfig() (node_config.go): the cluster's node_config, its node_pool blocks' and
#: the node pool resource's.
_NODE_CONFIG = Block(
    attrs={
        "boot_disk_kms_key": opt(STR, replace=True), "disk_size_gb": optc(NUM),
        "disk_type": optc(STR),
        "effective_taints": comp(["list", obj(effect=STR, key=STR, value=STR)]),
        "enable_confidential_storage": opt(BOOL, replace=True),
        "flex_start": opt(BOOL, replace=True), "gpudirect_strategy": optc(STR),
        "image_type": optc(STR), "labels": optc(STR_MAP),
        "local_ssd_count": optc(NUM, replace=True),
        "local_ssd_encryption_mode": opt(STR, replace=True), "logging_variant": optc(STR),
        "machine_type": optc(STR), "max_run_duration": opt(STR, replace=True),
        "metadata": optc(STR_MAP, replace=True), "min_cpu_platform": optc(STR, replace=True),
        "node_group": opt(STR, replace=True), "oauth_scopes": optc(STR_SET, replace=True),
        "preemptible": opt(BOOL, replace=True, default=False), "resource_labels": opt(STR_MAP),
        "resource_manager_tags": opt(STR_MAP), "service_account": optc(STR, replace=True),
        "spot": opt(BOOL, replace=True, default=False), "storage_pools": opt(STRS),
        "tags": opt(STRS),
    },
    blocks={
        "advanced_machine_features": Nested(Block(
            attrs={
                "enable_nested_virtualization": opt(BOOL, replace=True),
                "performance_monitoring_unit": opt(STR),
                "threads_per_core": req(NUM, replace=True),
            }), max_items=1),
        "boot_disk": Nested(Block(
            attrs={
                "disk_type": optc(STR), "provisioned_iops": optc(NUM),
                "provisioned_throughput": optc(NUM), "size_gb": optc(NUM),
            }), max_items=1),
        "confidential_nodes": Nested(Block(
            attrs={
                "confidential_instance_type": opt(STR, replace=True), "enabled": req(BOOL),
            }), max_items=1),
        "containerd_config": Nested(Block(
            blocks={
                "private_registry_access_config": Nested(Block(
                    attrs={
                        "enabled": req(BOOL),
                    },
                    blocks={
                        "certificate_authority_domain_config": Nested(Block(
                            attrs={
                                "fqdns": req(STRS),
                            },
                            blocks={
                                "gcp_secret_manager_certificate_config": Nested(Block(
                                    attrs={
                                        "secret_uri": req(STR),
                                    }), min_items=1, max_items=1),
                            })),
                    }), max_items=1),
                "registry_hosts": Nested(Block(
                    attrs={
                        "server": req(STR),
                    },
                    blocks={
                        "hosts": Nested(Block(
                            attrs={
                                "capabilities": opt(STRS), "dial_timeout": opt(STR),
                                "host": req(STR), "override_path": opt(BOOL),
                            },
                            blocks={
                                "ca": Nested(Block(
                                    attrs={
                                        "gcp_secret_manager_secret_uri": opt(STR),
                                    })),
                                "client": Nested(Block(
                                    blocks={
                                        "cert": Nested(Block(
                                            attrs={
                                                "gcp_secret_manager_secret_uri": opt(STR),
                                            }), min_items=1, max_items=1),
                                        "key": Nested(Block(
                                            attrs={
                                                "gcp_secret_manager_secret_uri": opt(STR),
                                            }), max_items=1),
                                    })),
                                "header": Nested(Block(
                                    attrs={
                                        "key": req(STR), "value": req(STRS),
                                    })),
                            })),
                    })),
                "writable_cgroups": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
            }), max_items=1),
        "ephemeral_storage_local_ssd_config": Nested(Block(
            attrs={
                "data_cache_count": opt(NUM, replace=True),
                "local_ssd_count": req(NUM, replace=True),
            }), max_items=1),
        "fast_socket": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "gcfs_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "guest_accelerator": Nested(Block(
            attrs={
                "count": req(NUM, replace=True), "gpu_partition_size": opt(STR, replace=True),
                "type": req(STR, replace=True),
            },
            blocks={
                "gpu_driver_installation_config": Nested(Block(
                    attrs={
                        "gpu_driver_version": req(STR, replace=True),
                    }), max_items=1),
                "gpu_sharing_config": Nested(Block(
                    attrs={
                        "gpu_sharing_strategy": req(STR, replace=True),
                        "max_shared_clients_per_gpu": req(NUM, replace=True),
                    }), max_items=1),
            })),
        "gvnic": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "host_maintenance_policy": Nested(Block(
            attrs={
                "maintenance_interval": req(STR, replace=True),
            }), max_items=1),
        "kubelet_config": Nested(Block(
            attrs={
                "allowed_unsafe_sysctls": opt(STRS), "container_log_max_files": opt(NUM),
                "container_log_max_size": opt(STR), "cpu_cfs_quota": optc(BOOL),
                "cpu_cfs_quota_period": opt(STR), "cpu_manager_policy": opt(STR),
                "eviction_max_pod_grace_period_seconds": opt(NUM),
                "image_gc_high_threshold_percent": opt(NUM),
                "image_gc_low_threshold_percent": opt(NUM), "image_maximum_gc_age": opt(STR),
                "image_minimum_gc_age": opt(STR),
                "insecure_kubelet_readonly_port_enabled": optc(STR),
                "max_parallel_image_pulls": optc(NUM), "pod_pids_limit": opt(NUM),
                "shutdown_grace_period_critical_pods_seconds": optc(NUM),
                "shutdown_grace_period_seconds": optc(NUM),
                "single_process_oom_kill": opt(BOOL),
            },
            blocks={
                "crash_loop_back_off": Nested(Block(
                    attrs={
                        "max_container_restart_period": opt(STR),
                    }), max_items=1),
                "eviction_minimum_reclaim": Nested(Block(
                    attrs={
                        "imagefs_available": opt(STR), "imagefs_inodes_free": opt(STR),
                        "memory_available": opt(STR), "nodefs_available": opt(STR),
                        "nodefs_inodes_free": opt(STR), "pid_available": opt(STR),
                    }), max_items=1),
                "eviction_soft": Nested(Block(
                    attrs={
                        "imagefs_available": opt(STR), "imagefs_inodes_free": opt(STR),
                        "memory_available": opt(STR), "nodefs_available": opt(STR),
                        "nodefs_inodes_free": opt(STR), "pid_available": opt(STR),
                    }), max_items=1),
                "eviction_soft_grace_period": Nested(Block(
                    attrs={
                        "imagefs_available": opt(STR), "imagefs_inodes_free": opt(STR),
                        "memory_available": opt(STR), "nodefs_available": opt(STR),
                        "nodefs_inodes_free": opt(STR), "pid_available": opt(STR),
                    }), max_items=1),
                "memory_manager": Nested(Block(attrs={"policy": optc(STR)}), max_items=1),
                "topology_manager": Nested(Block(
                    attrs={
                        "policy": optc(STR), "scope": optc(STR),
                    }), max_items=1),
            }), max_items=1),
        "linux_node_config": Nested(Block(
            attrs={
                "cgroup_mode": optc(STR), "sysctls": opt(STR_MAP),
                "transparent_hugepage_defrag": opt(STR),
                "transparent_hugepage_enabled": optc(STR),
            },
            blocks={
                "accurate_time_config": Nested(Block(
                    attrs={
                        "enable_ptp_kvm_time_sync": opt(BOOL),
                    }), max_items=1),
                "custom_node_init": Nested(Block(
                    blocks={
                        "init_script": Nested(Block(
                            attrs={
                                "gcp_secret_manager_secret_uri": opt(STR),
                                "gcs_generation": optc(NUM), "gcs_uri": opt(STR),
                            }), max_items=1),
                    }), max_items=1),
                "hugepages_config": Nested(Block(
                    attrs={
                        "hugepage_size_1g": opt(NUM), "hugepage_size_2m": opt(NUM),
                    }), max_items=1),
                "node_kernel_module_loading": Nested(Block(attrs={"policy": opt(STR)}), max_items=1),
                "swap_config": Nested(Block(
                    attrs={
                        "enabled": opt(BOOL),
                    },
                    blocks={
                        "boot_disk_profile": Nested(Block(
                            attrs={
                                "swap_size_gib": opt(NUM), "swap_size_percent": opt(NUM),
                            }), max_items=1),
                        "dedicated_local_ssd_profile": Nested(Block(
                            attrs={
                                "disk_count": opt(NUM),
                            }), max_items=1),
                        "encryption_config": Nested(Block(attrs={"disabled": opt(BOOL)}), max_items=1),
                        "ephemeral_local_ssd_profile": Nested(Block(
                            attrs={
                                "swap_size_gib": opt(NUM), "swap_size_percent": opt(NUM),
                            }), max_items=1),
                    }), max_items=1),
            }), max_items=1),
        "local_nvme_ssd_block_config": Nested(Block(
            attrs={
                "local_ssd_count": req(NUM, replace=True),
            }), max_items=1),
        "node_image_config": Nested(Block(
            attrs={
                "image": optc(STR), "image_project": optc(STR),
            })),
        "reservation_affinity": Nested(Block(
            attrs={
                "consume_reservation_type": req(STR, replace=True),
                "key": opt(STR, replace=True), "values": opt(STR_SET, replace=True),
            }), max_items=1),
        "sandbox_config": Nested(Block(attrs={"type": req(STR)}), max_items=1),
        "secondary_boot_disks": Nested(Block(
            attrs={
                "disk_image": req(STR, replace=True), "mode": opt(STR, replace=True),
            }), max_items=127),
        "shielded_instance_config": Nested(Block(
            attrs={
                "enable_integrity_monitoring": opt(BOOL, replace=True, default=True),
                "enable_secure_boot": opt(BOOL, replace=True, default=False),
            }), max_items=1),
        "sole_tenant_config": Nested(Block(
            attrs={
                "min_node_cpus": opt(NUM),
            },
            blocks={
                "node_affinity": Nested(Block(
                    attrs={
                        "key": req(STR, replace=True), "operator": req(STR, replace=True),
                        "values": req(STRS, replace=True),
                    }), nesting="set", min_items=1),
            }), max_items=1),
        "taint": Nested(Block(attrs={"effect": req(STR), "key": req(STR), "value": req(STR)})),
        "taint_config": Nested(Block(attrs={"architecture_taint_behavior": req(STR)}), max_items=1),
        "windows_node_config": Nested(Block(
            attrs={
                "osversion": opt(STR, default="OS_VERSION_UNSPECIFIED"),
            }), max_items=1),
        "workload_metadata_config": Nested(Block(attrs={"mode": req(STR)}), max_items=1),
    })

#: schemaNodePool: the node pool resource and the cluster's node_pool block share it.
_NODE_POOL = Block(
    attrs={
        "ignore_node_count_changes": opt(BOOL), "initial_node_count": optc(NUM, replace=True),
        "instance_group_urls": comp(STRS), "managed_instance_group_urls": comp(STRS),
        "max_pods_per_node": optc(NUM, replace=True), "name": optc(STR, replace=True),
        "name_prefix": optc(STR, replace=True), "node_count": optc(NUM),
        "node_locations": optc(STR_SET), "version": optc(STR),
    },
    blocks={
        "autoscaling": Nested(Block(
            attrs={
                "location_policy": optc(STR), "max_node_count": opt(NUM),
                "min_node_count": opt(NUM), "total_max_node_count": opt(NUM),
                "total_min_node_count": opt(NUM),
            }), max_items=1),
        "maintenance_policy": Nested(Block(
            blocks={
                "exclusion_until_end_of_support": Nested(Block(
                    attrs={
                        "enabled": opt(BOOL), "end_time": comp(STR), "start_time": comp(STR),
                    })),
            })),
        "management": Nested(Block(
            attrs={
                "auto_repair": opt(BOOL, default=True),
                "auto_upgrade": opt(BOOL, default=True),
            }), max_items=1),
        "network_config": Nested(Block(
            attrs={
                "accelerator_network_profile": opt(STR, replace=True),
                "create_pod_range": opt(BOOL, replace=True),
                "enable_private_nodes": optc(BOOL),
                "pod_ipv4_cidr_block": optc(STR, replace=True),
                "pod_range": optc(STR, replace=True), "subnetwork": optc(STR, replace=True),
            },
            blocks={
                "additional_node_network_configs": Nested(Block(
                    attrs={
                        "network": optc(STR, replace=True),
                        "subnetwork": optc(STR, replace=True),
                    })),
                "additional_pod_network_configs": Nested(Block(
                    attrs={
                        "max_pods_per_node": optc(NUM, replace=True),
                        "secondary_pod_range": opt(STR, replace=True),
                        "subnetwork": opt(STR, replace=True),
                    })),
                "network_performance_config": Nested(Block(
                    attrs={
                        "total_egress_bandwidth_tier": req(STR),
                    }), max_items=1),
                "pod_cidr_overprovision_config": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
            }), max_items=1),
        "node_config": Nested(_NODE_CONFIG, max_items=1),
        "node_drain_config": Nested(Block(
            attrs={
                "grace_termination_duration": opt(STR), "pdb_timeout_duration": opt(STR),
                "respect_pdb_during_node_pool_deletion": opt(BOOL),
            })),
        "placement_policy": Nested(Block(
            attrs={
                "policy_name": opt(STR, replace=True), "tpu_topology": opt(STR),
                "type": req(STR),
            }), max_items=1),
        "queued_provisioning": Nested(Block(attrs={"enabled": req(BOOL, replace=True)}), max_items=1),
        "upgrade_settings": Nested(Block(
            attrs={
                "max_surge": optc(NUM), "max_unavailable": optc(NUM),
                "strategy": opt(STR, default="SURGE"),
            },
            blocks={
                "blue_green_settings": Nested(Block(
                    attrs={
                        "node_pool_soak_duration": optc(STR),
                    },
                    blocks={
                        "standard_rollout_policy": Nested(Block(
                            attrs={
                                "batch_node_count": optc(NUM), "batch_percentage": optc(NUM),
                                "batch_soak_duration": optc(STR),
                            }), min_items=1, max_items=1),
                    }), max_items=1),
            }), max_items=1),
    })

# internal: resource_container_cluster.go (ResourceContainerCluster); deletion_policy is
# tpgresource.DeletionPolicySchemaEntry("DELETE"): optional+computed string.
_CLUSTER = Block(
    attrs={
        "allow_net_admin": opt(BOOL), "autopilot_privileged_admission": optc(STRS),
        "cluster_ipv4_cidr": optc(STR, replace=True),
        "datapath_provider": optc(STR, replace=True),
        "dataplane_optimization_mode": opt(STR, replace=True),
        "default_max_pods_per_node": optc(NUM, replace=True), "deletion_policy": optc(STR),
        "deletion_protection": opt(BOOL, default=True), "description": opt(STR, replace=True),
        "desired_emulated_version": opt(STR),
        "disable_l4_lb_firewall_reconciliation": opt(BOOL, default=False),
        "effective_labels": comp(STR_MAP), "emulated_version": comp(STR),
        "enable_autopilot": opt(BOOL, replace=True),
        "enable_cilium_clusterwide_network_policy": opt(BOOL, default=False),
        "enable_fqdn_network_policy": opt(BOOL, default=False),
        "enable_intranode_visibility": optc(BOOL),
        "enable_kubernetes_alpha": opt(BOOL, replace=True, default=False),
        "enable_l4_ilb_subsetting": optc(BOOL), "enable_legacy_abac": opt(BOOL, default=False),
        "enable_multi_networking": opt(BOOL, default=False),
        "enable_shielded_nodes": opt(BOOL, default=True),
        "enable_tpu": opt(BOOL, replace=True), "endpoint": comp(STR),
        "ignore_node_count_changes": opt(BOOL), "in_transit_encryption_config": opt(STR),
        "initial_node_count": opt(NUM, replace=True), "label_fingerprint": comp(STR),
        "location": optc(STR, replace=True), "logging_service": optc(STR),
        "master_version": comp(STR), "min_master_version": opt(STR),
        "monitoring_service": optc(STR), "name": req(STR, replace=True),
        "network": opt(STR, replace=True, default="default"),
        "networking_mode": optc(STR, replace=True), "node_locations": optc(STR_SET),
        "node_version": optc(STR), "operation": comp(STR),
        "private_ipv6_google_access": optc(STR), "project": optc(STR, replace=True),
        "remove_default_node_pool": opt(BOOL), "resource_labels": opt(STR_MAP),
        "self_link": comp(STR), "services_ipv4_cidr": comp(STR),
        "skip_node_pool_refresh": opt(BOOL), "subnetwork": optc(STR, replace=True),
        "terraform_labels": comp(STR_MAP), "tpu_ipv4_cidr_block": comp(STR),
    },
    blocks={
        "addons_config": Nested(Block(
            blocks={
                "agent_sandbox_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "cloudrun_config": Nested(Block(
                    attrs={
                        "disabled": req(BOOL), "load_balancer_type": opt(STR),
                    }), max_items=1),
                "config_connector_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "dns_cache_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "gce_persistent_disk_csi_driver_config": Nested(Block(
                    attrs={
                        "enabled": req(BOOL),
                    }), max_items=1),
                "gcp_filestore_csi_driver_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "gcs_fuse_csi_driver_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "gke_backup_agent_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "high_scale_checkpointing_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "horizontal_pod_autoscaling": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
                "http_load_balancing": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
                "lustre_csi_driver_config": Nested(Block(
                    attrs={
                        "disable_multi_nic": opt(BOOL), "enable_legacy_lustre_port": opt(BOOL),
                        "enabled": req(BOOL),
                    }), max_items=1),
                "network_policy_config": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
                "node_readiness_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "parallelstore_csi_driver_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "pod_snapshot_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "ray_operator_config": Nested(Block(
                    attrs={
                        "enabled": req(BOOL),
                    },
                    blocks={
                        "ray_cluster_logging_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                        "ray_cluster_monitoring_config": Nested(Block(
                            attrs={
                                "enabled": req(BOOL),
                            }), max_items=1),
                    }), max_items=3),
                "slice_controller_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "slurm_operator_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "stateful_ha_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
            }), max_items=1),
        "anonymous_authentication_config": Nested(Block(attrs={"mode": req(STR)}), max_items=1),
        "authenticator_groups_config": Nested(Block(attrs={"security_group": req(STR)}), max_items=1),
        "autopilot_cluster_policy_config": Nested(Block(
            attrs={
                "no_standard_node_pools": opt(BOOL), "no_system_impersonation": opt(BOOL),
                "no_system_mutation": opt(BOOL), "no_unsafe_webhooks": opt(BOOL),
            }), max_items=1),
        "binary_authorization": Nested(Block(
            attrs={
                "enabled": opt(BOOL), "evaluation_mode": optc(STR),
            }), max_items=1),
        "cluster_autoscaling": Nested(Block(
            attrs={
                "auto_provisioning_locations": optc(STRS),
                "autoscaling_profile": opt(STR, default="BALANCED"),
                "default_compute_class_enabled": opt(BOOL), "enabled": optc(BOOL),
            },
            blocks={
                "auto_provisioning_defaults": Nested(Block(
                    attrs={
                        "boot_disk_kms_key": opt(STR, replace=True),
                        "disk_size": opt(NUM, default=100),
                        "disk_type": opt(STR, default="pd-standard"),
                        "image_type": opt(STR, default="COS_CONTAINERD"),
                        "min_cpu_platform": opt(STR), "oauth_scopes": optc(STRS),
                        "service_account": opt(STR, default="default"),
                    },
                    blocks={
                        "management": Nested(Block(
                            attrs={
                                "auto_repair": optc(BOOL), "auto_upgrade": optc(BOOL),
                                "upgrade_options": comp(["list", obj(auto_upgrade_start_time=STR, description=STR)]),
                            }), max_items=1),
                        "shielded_instance_config": Nested(Block(
                            attrs={
                                "enable_integrity_monitoring": opt(BOOL, default=True),
                                "enable_secure_boot": opt(BOOL, default=False),
                            }), max_items=1),
                        "upgrade_settings": Nested(Block(
                            attrs={
                                "max_surge": opt(NUM), "max_unavailable": opt(NUM),
                                "strategy": optc(STR),
                            },
                            blocks={
                                "blue_green_settings": Nested(Block(
                                    attrs={
                                        "node_pool_soak_duration": optc(STR),
                                    },
                                    blocks={
                                        "standard_rollout_policy": Nested(Block(
                                            attrs={
                                                "batch_node_count": optc(NUM),
                                                "batch_percentage": optc(NUM),
                                                "batch_soak_duration": opt(STR, default="0s"),
                                            }), max_items=1),
                                    }), max_items=1),
                            }), max_items=1),
                    }), max_items=1),
                "resource_limits": Nested(Block(
                    attrs={
                        "maximum": req(NUM), "minimum": opt(NUM), "resource_type": req(STR),
                    })),
            }), max_items=1),
        "confidential_nodes": Nested(Block(
            attrs={
                "confidential_instance_type": opt(STR, replace=True),
                "enabled": req(BOOL, replace=True),
            }), max_items=1),
        "control_plane_endpoints_config": Nested(Block(
            blocks={
                "dns_endpoint_config": Nested(Block(
                    attrs={
                        "allow_external_traffic": opt(BOOL),
                        "enable_k8s_certs_via_dns": opt(BOOL),
                        "enable_k8s_tokens_via_dns": opt(BOOL), "endpoint": optc(STR),
                    }), max_items=1),
                "ip_endpoints_config": Nested(Block(attrs={"enabled": opt(BOOL)}), max_items=1),
            }), max_items=1),
        "cost_management_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "database_encryption": Nested(Block(attrs={"key_name": opt(STR), "state": req(STR)}), max_items=1),
        "default_snat_status": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
        "dns_config": Nested(Block(
            attrs={
                "additive_vpc_scope_dns_domain": opt(STR),
                "cluster_dns": opt(STR, default="PROVIDER_UNSPECIFIED"),
                "cluster_dns_domain": opt(STR), "cluster_dns_scope": opt(STR),
            }), max_items=1),
        "enable_k8s_beta_apis": Nested(Block(attrs={"enabled_apis": req(STR_SET)}), max_items=1),
        "enterprise_config": Nested(Block(
            attrs={
                "cluster_tier": comp(STR), "desired_tier": optc(STR),
            }), max_items=1),
        "fleet": Nested(Block(
            attrs={
                "membership": comp(STR), "membership_id": comp(STR),
                "membership_location": comp(STR), "membership_type": opt(STR),
                "pre_registered": comp(BOOL), "project": opt(STR),
            }), max_items=1),
        "gateway_api_config": Nested(Block(attrs={"channel": req(STR)}), max_items=1),
        "gke_auto_upgrade_config": Nested(Block(attrs={"patch_mode": req(STR)}), max_items=1),
        "identity_service_config": Nested(Block(attrs={"enabled": opt(BOOL)}), max_items=1),
        "ip_allocation_policy": Nested(Block(
            attrs={
                "cluster_ipv4_cidr_block": optc(STR, replace=True),
                "cluster_secondary_range_name": optc(STR, replace=True),
                "services_ipv4_cidr_block": optc(STR, replace=True),
                "services_secondary_range_name": optc(STR, replace=True),
                "stack_type": opt(STR, default="IPV4"),
            },
            blocks={
                "additional_ip_ranges_config": Nested(Block(
                    attrs={
                        "pod_ipv4_range_names": opt(STRS), "status": opt(STR),
                        "subnetwork": req(STR),
                    })),
                "additional_pod_ranges_config": Nested(Block(
                    attrs={
                        "pod_range_names": req(STR_SET),
                    }), max_items=1),
                "auto_ipam_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                "network_tier_config": Nested(Block(attrs={"network_tier": req(STR)}), max_items=1),
                "pod_cidr_overprovision_config": Nested(Block(attrs={"disabled": req(BOOL)}), max_items=1),
            }), max_items=1),
        "logging_config": Nested(Block(attrs={"enable_components": req(STRS)}), max_items=1),
        "maintenance_policy": Nested(Block(
            blocks={
                "daily_maintenance_window": Nested(Block(
                    attrs={
                        "duration": comp(STR), "start_time": req(STR),
                    }), max_items=1),
                "disruption_budget": Nested(Block(
                    attrs={
                        "last_disruption_time": comp(STR),
                        "last_minor_version_disruption_time": comp(STR),
                        "minor_version_disruption_interval": opt(STR),
                        "patch_version_disruption_interval": opt(STR),
                    }), max_items=1),
                "maintenance_exclusion": Nested(Block(
                    attrs={
                        "end_time": opt(STR), "exclusion_name": req(STR),
                        "start_time": req(STR),
                    },
                    blocks={
                        "exclusion_options": Nested(Block(
                            attrs={
                                "end_time_behavior": opt(STR), "scope": req(STR),
                            }), max_items=1),
                    }), nesting="set", max_items=20),
                "recurring_maintenance_window": Nested(Block(
                    attrs={
                        "recurrence": req(STR), "window_duration": req(STR),
                    },
                    blocks={
                        "delay_until": Nested(Block(
                            attrs={
                                "day": req(NUM), "month": req(NUM), "year": req(NUM),
                            }), max_items=1),
                        "window_start_time": Nested(Block(
                            attrs={
                                "hours": req(NUM), "minutes": req(NUM), "seconds": req(NUM),
                            }), min_items=1, max_items=1),
                    }), max_items=1),
                "recurring_window": Nested(Block(
                    attrs={
                        "end_time": req(STR), "recurrence": req(STR), "start_time": req(STR),
                    }), max_items=1),
            }), max_items=1),
        "master_auth": Nested(Block(
            attrs={
                "client_certificate": comp(STR), "client_key": comp(STR, sensitive=True),
                "cluster_ca_certificate": comp(STR),
            },
            blocks={
                "client_certificate_config": Nested(Block(
                    attrs={
                        "issue_client_certificate": req(BOOL, replace=True),
                    }), min_items=1, max_items=1),
            }), max_items=1),
        "master_authorized_networks_config": Nested(Block(
            attrs={
                "gcp_public_cidrs_access_enabled": optc(BOOL),
                "private_endpoint_enforcement_enabled": optc(BOOL),
            },
            blocks={
                "cidr_blocks": Nested(Block(
                    attrs={
                        "cidr_block": req(STR), "display_name": opt(STR),
                    }), nesting="set"),
            }), max_items=1),
        "mesh_certificates": Nested(Block(attrs={"enable_certificates": req(BOOL)}), max_items=1),
        "monitoring_config": Nested(Block(
            attrs={
                "enable_components": optc(STRS),
            },
            blocks={
                "advanced_datapath_observability_config": Nested(Block(
                    attrs={
                        "enable_metrics": req(BOOL), "enable_relay": req(BOOL),
                    }), max_items=1),
                "managed_prometheus": Nested(Block(
                    attrs={
                        "enabled": req(BOOL),
                    },
                    blocks={
                        "auto_monitoring_config": Nested(Block(attrs={"scope": req(STR)}), max_items=1),
                    }), max_items=1),
            }), max_items=1),
        "network_performance_config": Nested(Block(
            attrs={
                "total_egress_bandwidth_tier": req(STR),
            }), max_items=1),
        "network_policy": Nested(Block(attrs={"enabled": req(BOOL), "provider": opt(STR)}), max_items=1),
        "node_config": Nested(_NODE_CONFIG, max_items=1),
        "node_creation_config": Nested(Block(attrs={"node_creation_mode": req(STR)}), max_items=1),
        "node_pool": Nested(_NODE_POOL),
        "node_pool_auto_config": Nested(Block(
            attrs={
                "resource_manager_tags": opt(STR_MAP),
            },
            blocks={
                "linux_node_config": Nested(Block(
                    attrs={
                        "cgroup_mode": optc(STR),
                    },
                    blocks={
                        "node_kernel_module_loading": Nested(Block(attrs={"policy": opt(STR)}), max_items=1),
                    }), max_items=1),
                "network_tags": Nested(Block(attrs={"tags": opt(STRS)}), max_items=1),
                "node_kubelet_config": Nested(Block(
                    attrs={
                        "insecure_kubelet_readonly_port_enabled": optc(STR),
                    }), max_items=1),
            }), max_items=1),
        "node_pool_defaults": Nested(Block(
            blocks={
                "node_config_defaults": Nested(Block(
                    attrs={
                        "insecure_kubelet_readonly_port_enabled": optc(STR),
                        "logging_variant": optc(STR),
                    },
                    blocks={
                        "containerd_config": Nested(Block(
                            blocks={
                                "private_registry_access_config": Nested(Block(
                                    attrs={
                                        "enabled": req(BOOL),
                                    },
                                    blocks={
                                        "certificate_authority_domain_config": Nested(Block(
                                            attrs={
                                                "fqdns": req(STRS),
                                            },
                                            blocks={
                                                "gcp_secret_manager_certificate_config": Nested(Block(
                                                    attrs={
                                                        "secret_uri": req(STR),
                                                    }), min_items=1, max_items=1),
                                            })),
                                    }), max_items=1),
                                "registry_hosts": Nested(Block(
                                    attrs={
                                        "server": req(STR),
                                    },
                                    blocks={
                                        "hosts": Nested(Block(
                                            attrs={
                                                "capabilities": opt(STRS),
                                                "dial_timeout": opt(STR), "host": req(STR),
                                                "override_path": opt(BOOL),
                                            },
                                            blocks={
                                                "ca": Nested(Block(
                                                    attrs={
                                                        "gcp_secret_manager_secret_uri": opt(STR),
                                                    })),
                                                "client": Nested(Block(
                                                    blocks={
                                                        "cert": Nested(Block(
                                                            attrs={
                                                                "gcp_secret_manager_secret_uri": opt(STR),
                                                            }), min_items=1, max_items=1),
                                                        "key": Nested(Block(
                                                            attrs={
                                                                "gcp_secret_manager_secret_uri": opt(STR),
                                                            }), max_items=1),
                                                    })),
                                                "header": Nested(Block(
                                                    attrs={
                                                        "key": req(STR), "value": req(STRS),
                                                    })),
                                            })),
                                    })),
                                "writable_cgroups": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                            }), max_items=1),
                        "gcfs_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
                    }), max_items=1),
            }), max_items=1),
        "notification_config": Nested(Block(
            blocks={
                "pubsub": Nested(Block(
                    attrs={
                        "enabled": req(BOOL), "topic": opt(STR),
                    },
                    blocks={
                        "filter": Nested(Block(attrs={"event_type": req(STRS)}), max_items=1),
                    }), min_items=1, max_items=1),
            }), max_items=1),
        "pod_autoscaling": Nested(Block(attrs={"hpa_profile": req(STR)}), max_items=1),
        "private_cluster_config": Nested(Block(
            attrs={
                "enable_private_endpoint": opt(BOOL), "enable_private_nodes": opt(BOOL),
                "master_ipv4_cidr_block": optc(STR, replace=True), "peering_name": comp(STR),
                "private_endpoint": comp(STR),
                "private_endpoint_subnetwork": opt(STR, replace=True),
                "public_endpoint": comp(STR),
            },
            blocks={
                "master_global_access_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
            }), max_items=1),
        "rbac_binding_config": Nested(Block(
            attrs={
                "enable_insecure_binding_system_authenticated": opt(BOOL),
                "enable_insecure_binding_system_unauthenticated": opt(BOOL),
            }), max_items=1),
        "release_channel": Nested(Block(attrs={"channel": req(STR)}), max_items=1),
        "resource_usage_export_config": Nested(Block(
            attrs={
                "enable_network_egress_metering": opt(BOOL, default=False),
                "enable_resource_consumption_metering": opt(BOOL, default=True),
            },
            blocks={
                "bigquery_destination": Nested(Block(attrs={"dataset_id": req(STR)}), min_items=1, max_items=1),
            }), max_items=1),
        "rollback_safe_upgrade": Nested(Block(attrs={"control_plane_soak_duration": opt(STR)}), max_items=1),
        "secret_manager_config": Nested(Block(
            attrs={
                "enabled": req(BOOL),
            },
            blocks={
                "rotation_config": Nested(Block(
                    attrs={
                        "enabled": req(BOOL), "rotation_interval": optc(STR),
                    }), max_items=1),
            }), max_items=1),
        "secret_sync_config": Nested(Block(
            attrs={
                "enabled": req(BOOL),
            },
            blocks={
                "rotation_config": Nested(Block(
                    attrs={
                        "enabled": req(BOOL), "rotation_interval": optc(STR),
                    }), max_items=1),
            }), max_items=1),
        "security_posture_config": Nested(Block(
            attrs={
                "mode": optc(STR), "vulnerability_mode": optc(STR),
            }), max_items=1),
        "service_external_ips_config": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "user_managed_keys_config": Nested(Block(
            attrs={
                "aggregation_ca": opt(STR, replace=True), "cluster_ca": opt(STR, replace=True),
                "control_plane_disk_encryption_key": opt(STR),
                "control_plane_disk_encryption_key_versions": comp(STR_SET),
                "etcd_api_ca": opt(STR, replace=True), "etcd_peer_ca": opt(STR, replace=True),
                "gkeops_etcd_backup_encryption_key": opt(STR),
                "service_account_signing_keys": opt(STR_SET),
                "service_account_verification_keys": opt(STR_SET),
            }), max_items=1),
        "vertical_pod_autoscaling": Nested(Block(attrs={"enabled": req(BOOL)}), max_items=1),
        "workload_identity_config": Nested(Block(attrs={"workload_pool": opt(STR)}), max_items=1),
    })

#: The node pool resource's own arguments (merged with _NODE_POOL: MergeSchemas).
_NODE_POOL_RESOURCE_ONLY = Block(
    attrs={
        "cluster": req(STR, replace=True), "deletion_policy": optc(STR),
        "location": optc(STR, replace=True), "operation": comp(STR),
        "project": optc(STR, replace=True),
    })

GOOGLE_CONTAINER_CLUSTER = _with_id(_CLUSTER)
GOOGLE_CONTAINER_NODE_POOL = _with_id(Block(
    attrs={**_NODE_POOL.attrs, **_NODE_POOL_RESOURCE_ONLY.attrs}, blocks=_NODE_POOL.blocks))

# --------------------------------------------------------------------------- data sources
# google/services/container/data_source_google_container_engine_versions.go (SDKv2):
# the valid_* lists filtered by version_prefix, latest_* unset when nothing matches.
GOOGLE_CONTAINER_ENGINE_VERSIONS_DATA = Block(attrs={
    "id": comp(STR), "project": opt(STR), "version_prefix": opt(STR), "location": opt(STR),
    "default_cluster_version": comp(STR), "latest_master_version": comp(STR),
    "latest_node_version": comp(STR), "valid_master_versions": comp(STRS),
    "valid_node_versions": comp(STRS), "release_channel_default_version": comp(STR_MAP),
    "release_channel_latest_version": comp(STR_MAP),
    "release_channel_upgrade_target_version": comp(STR_MAP),
})

# google/services/resourcemanager/data_source_google_client_config.go (plugin framework)
GOOGLE_CLIENT_CONFIG_DATA = Block(attrs={
    "id": comp(STR), "project": comp(STR), "region": comp(STR), "zone": comp(STR),
    "access_token": comp(STR, sensitive=True), "default_labels": comp(STR_MAP),
})

# google/services/compute/data_source_google_compute_machine_types.go (SDKv2): exists at
# v7.45.0. ``filter`` is Compute's list filter; ``zone`` is not defaulted from the provider.
GOOGLE_COMPUTE_MACHINE_TYPE = obj(
    accelerators=["list", obj(guest_accelerator_count=NUM, guest_accelerator_type=STR)],
    deprecated=["set", obj(replacement=STR, state=STR)], description=STR, guest_cpus=NUM,
    is_shared_cpus=BOOL, maximum_persistent_disks=NUM, maximum_persistent_disks_size_gb=NUM,
    memory_mb=NUM, name=STR, self_link=STR)
GOOGLE_COMPUTE_MACHINE_TYPES_DATA = Block(attrs={
    "id": comp(STR), "filter": opt(STR), "machine_types": comp(["list", GOOGLE_COMPUTE_MACHINE_TYPE]),
    "project": optc(STR), "zone": optc(STR),
})

# --------------------------------------------------------------------------- tables

GOOGLE_RESOURCES = {
    "google_container_cluster": GOOGLE_CONTAINER_CLUSTER,
    "google_container_node_pool": GOOGLE_CONTAINER_NODE_POOL,
}
GOOGLE_DATA_SOURCES = {
    "google_container_engine_versions": GOOGLE_CONTAINER_ENGINE_VERSIONS_DATA,
    "google_client_config": GOOGLE_CLIENT_CONFIG_DATA,
    "google_compute_machine_types": GOOGLE_COMPUTE_MACHINE_TYPES_DATA,
}

#: Plugin-framework types (no legacy type system); every other type above is SDKv2.
FRAMEWORK_DATA_SOURCES = frozenset({"google_client_config"})
FRAMEWORK_RESOURCES: frozenset = frozenset()
FRAMEWORK_TYPES = FRAMEWORK_DATA_SOURCES | FRAMEWORK_RESOURCES

#: Optional+Computed blocks (dotted paths), per resource.
OC_CLUSTER = (
    "addons_config", "addons_config.agent_sandbox_config", "addons_config.cloudrun_config",
    "addons_config.config_connector_config", "addons_config.dns_cache_config",
    "addons_config.gce_persistent_disk_csi_driver_config",
    "addons_config.gcp_filestore_csi_driver_config", "addons_config.gcs_fuse_csi_driver_config",
    "addons_config.gke_backup_agent_config", "addons_config.high_scale_checkpointing_config",
    "addons_config.horizontal_pod_autoscaling", "addons_config.http_load_balancing",
    "addons_config.lustre_csi_driver_config", "addons_config.network_policy_config",
    "addons_config.node_readiness_config", "addons_config.parallelstore_csi_driver_config",
    "addons_config.pod_snapshot_config", "addons_config.ray_operator_config",
    "addons_config.ray_operator_config.ray_cluster_logging_config",
    "addons_config.ray_operator_config.ray_cluster_monitoring_config",
    "addons_config.slice_controller_config", "addons_config.slurm_operator_config",
    "addons_config.stateful_ha_config", "anonymous_authentication_config",
    "authenticator_groups_config", "autopilot_cluster_policy_config", "cluster_autoscaling",
    "cluster_autoscaling.auto_provisioning_defaults",
    "cluster_autoscaling.auto_provisioning_defaults.management",
    "cluster_autoscaling.auto_provisioning_defaults.upgrade_settings",
    "cluster_autoscaling.auto_provisioning_defaults.upgrade_settings.blue_green_settings",
    "cluster_autoscaling.auto_provisioning_defaults.upgrade_settings.blue_green_settings.standard_rollout_policy",
    "cluster_autoscaling.resource_limits", "confidential_nodes",
    "control_plane_endpoints_config", "control_plane_endpoints_config.dns_endpoint_config",
    "control_plane_endpoints_config.ip_endpoints_config", "cost_management_config",
    "database_encryption", "default_snat_status", "enterprise_config", "gateway_api_config",
    "gke_auto_upgrade_config", "identity_service_config", "ip_allocation_policy",
    "ip_allocation_policy.auto_ipam_config", "ip_allocation_policy.network_tier_config",
    "ip_allocation_policy.pod_cidr_overprovision_config", "logging_config", "master_auth",
    "master_authorized_networks_config", "mesh_certificates", "monitoring_config",
    "monitoring_config.advanced_datapath_observability_config",
    "monitoring_config.managed_prometheus",
    "monitoring_config.managed_prometheus.auto_monitoring_config", "node_config",
    "node_config.boot_disk", "node_config.confidential_nodes", "node_config.containerd_config",
    "node_config.gcfs_config", "node_config.guest_accelerator",
    "node_config.guest_accelerator.gpu_driver_installation_config",
    "node_config.kubelet_config", "node_config.linux_node_config",
    "node_config.node_image_config", "node_config.shielded_instance_config",
    "node_config.windows_node_config", "node_config.workload_metadata_config",
    "node_creation_config", "node_pool", "node_pool.management", "node_pool.network_config",
    "node_pool.network_config.additional_node_network_configs",
    "node_pool.network_config.pod_cidr_overprovision_config", "node_pool.node_config",
    "node_pool.node_config.boot_disk", "node_pool.node_config.confidential_nodes",
    "node_pool.node_config.containerd_config", "node_pool.node_config.gcfs_config",
    "node_pool.node_config.guest_accelerator",
    "node_pool.node_config.guest_accelerator.gpu_driver_installation_config",
    "node_pool.node_config.kubelet_config", "node_pool.node_config.linux_node_config",
    "node_pool.node_config.node_image_config", "node_pool.node_config.shielded_instance_config",
    "node_pool.node_config.windows_node_config",
    "node_pool.node_config.workload_metadata_config", "node_pool.node_drain_config",
    "node_pool.upgrade_settings", "node_pool.upgrade_settings.blue_green_settings",
    "node_pool_auto_config", "node_pool_auto_config.node_kubelet_config", "node_pool_defaults",
    "node_pool_defaults.node_config_defaults.containerd_config",
    "node_pool_defaults.node_config_defaults.gcfs_config", "notification_config",
    "pod_autoscaling", "private_cluster_config",
    "private_cluster_config.master_global_access_config", "rbac_binding_config",
    "release_channel", "secret_manager_config.rotation_config",
    "secret_sync_config.rotation_config", "security_posture_config",
    "service_external_ips_config", "vertical_pod_autoscaling", "workload_identity_config",
)
OC_POOL = (
    "management", "network_config", "network_config.additional_node_network_configs",
    "network_config.pod_cidr_overprovision_config", "node_config", "node_config.boot_disk",
    "node_config.confidential_nodes", "node_config.containerd_config",
    "node_config.gcfs_config", "node_config.guest_accelerator",
    "node_config.guest_accelerator.gpu_driver_installation_config",
    "node_config.kubelet_config", "node_config.linux_node_config",
    "node_config.node_image_config", "node_config.shielded_instance_config",
    "node_config.windows_node_config", "node_config.workload_metadata_config",
    "node_drain_config", "upgrade_settings", "upgrade_settings.blue_green_settings",
)
#: Blocks with ForceNew on the block itself (replacement when their item count changes).
FN_CLUSTER = (
    "confidential_nodes", "ip_allocation_policy",
    "ip_allocation_policy.pod_cidr_overprovision_config",
    "master_auth.client_certificate_config", "node_config",
    "node_config.advanced_machine_features", "node_config.ephemeral_storage_local_ssd_config",
    "node_config.guest_accelerator",
    "node_config.guest_accelerator.gpu_driver_installation_config",
    "node_config.guest_accelerator.gpu_sharing_config", "node_config.host_maintenance_policy",
    "node_config.local_nvme_ssd_block_config", "node_config.reservation_affinity",
    "node_config.sandbox_config", "node_config.secondary_boot_disks",
    "node_config.shielded_instance_config", "node_config.sole_tenant_config",
    "node_config.sole_tenant_config.node_affinity", "node_pool",
    "node_pool.network_config.additional_node_network_configs",
    "node_pool.network_config.additional_pod_network_configs",
    "node_pool.network_config.pod_cidr_overprovision_config", "node_pool.node_config",
    "node_pool.node_config.advanced_machine_features",
    "node_pool.node_config.ephemeral_storage_local_ssd_config",
    "node_pool.node_config.guest_accelerator",
    "node_pool.node_config.guest_accelerator.gpu_driver_installation_config",
    "node_pool.node_config.guest_accelerator.gpu_sharing_config",
    "node_pool.node_config.host_maintenance_policy",
    "node_pool.node_config.local_nvme_ssd_block_config",
    "node_pool.node_config.reservation_affinity", "node_pool.node_config.sandbox_config",
    "node_pool.node_config.secondary_boot_disks",
    "node_pool.node_config.shielded_instance_config",
    "node_pool.node_config.sole_tenant_config",
    "node_pool.node_config.sole_tenant_config.node_affinity", "node_pool.placement_policy",
    "node_pool.queued_provisioning",
)
FN_POOL = (
    "network_config.additional_node_network_configs",
    "network_config.additional_pod_network_configs",
    "network_config.pod_cidr_overprovision_config", "node_config",
    "node_config.advanced_machine_features", "node_config.ephemeral_storage_local_ssd_config",
    "node_config.guest_accelerator",
    "node_config.guest_accelerator.gpu_driver_installation_config",
    "node_config.guest_accelerator.gpu_sharing_config", "node_config.host_maintenance_policy",
    "node_config.local_nvme_ssd_block_config", "node_config.reservation_affinity",
    "node_config.sandbox_config", "node_config.secondary_boot_disks",
    "node_config.shielded_instance_config", "node_config.sole_tenant_config",
    "node_config.sole_tenant_config.node_affinity", "placement_policy", "queued_provisioning",
)
OPTIONAL_COMPUTED_BLOCKS = {"google_container_cluster": OC_CLUSTER,
                            "google_container_node_pool": OC_POOL}
FORCE_NEW_BLOCKS = {"google_container_cluster": FN_CLUSTER,
                    "google_container_node_pool": FN_POOL}


def legacy_type_system(kind: str, type_name: str) -> bool:
    """Whether the type speaks SDKv2's legacy type system. ``kind``: resource or data."""
    framework = FRAMEWORK_RESOURCES if kind == "resource" else FRAMEWORK_DATA_SOURCES
    return type_name not in framework


def provider_entry() -> tuple:
    """``schemas.PROVIDERS["google"]``: SDKv2's legacy type system is the provider's default
    (``legacy_type_system`` names the framework exceptions)."""
    return ("hashicorp", GOOGLE_VERSION, GOOGLE_PROVIDER, GOOGLE_RESOURCES, GOOGLE_DATA_SOURCES,
            True)


# schemas.py's PROVIDERS["google"], for when this module was imported before schemas.
import schemas as _schemas  # noqa: E402

_schemas.PROVIDERS.setdefault("google", provider_entry())
