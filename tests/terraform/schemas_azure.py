"""Schemas of hashicorp/azurerm 4.81.0 for the AKS stacks, as the stand-in serves them.

Transcribed from the provider's Go source at tag v4.81.0 (commit
5782a75422c68a0d0804ac16d97dcaf3df5ee2fa; see PROVENANCE.md beside this file), in
the format of ``schemas.py``: every top-level attribute and block of each type,
cty types, required/optional/computed, sensitive, replace (ForceNew) and defaults.
Descriptions, validators, ConflictsWith/ExactlyOneOf/AtLeastOneOf/RequiredWith,
deprecations, DiffSuppress/StateFuncs and the ``timeouts`` blocks are left out; so
are the resource identity schemas (``azurerm_resource_group`` declares one) and the
schema versions (``azurerm_kubernetes_cluster`` is at 2, the node pool at 1; the
stand-in serves 0).

The schema is the 4.x one: ``features.FivePointOh()`` is false, so the blocks that
``resourceKubernetesCluster`` and ``resourceKubernetesClusterNodePool`` rewrite for
4.x are served as rewritten (``node_provisioning_profile`` Optional+Computed rather
than Required, ``oidc_issuer_enabled`` Optional+Computed without its 5.0 default,
``transparent_huge_page``/``transparent_huge_page_enabled`` and
``container_log_max_files``/``container_log_max_line`` Optional+Computed), and the
provider block has the 4.x-only ``skip_provider_registration`` and top-level
``enhanced_validation``.

The provider muxes the SDKv2 provider and a plugin-framework one over protocol 5
(``internal/provider/framework/factory_builder.go``, ``tf5muxserver``), but every
type here is SDKv2: the untyped ones (cluster, node pool, resource group, service
versions) directly, and ``azurerm_location`` (a typed ``sdk.DataSource``) through
``sdk.NewDataSourceWrapper``, which builds an SDKv2 ``schema.Resource``. So every
type speaks the legacy type system (``FRAMEWORK_TYPES`` is empty). The framework
provider's ``Configure`` only hands on the SDKv2 provider's meta
(``azureRmFrameworkProvider.Configure``), so configuration errors are the SDKv2
``providerConfigure``/``buildClient`` ones.

SDKv2 serves a ``TypeList``/``TypeSet`` of ``*schema.Resource`` as a nested block
unless it is computed-only (then an attribute of a list/set of objects); item
counts follow ``helper/schema/core_schema.go`` (Required gives min_items 1,
Optional drops MinItems). ``OPTIONAL_COMPUTED_BLOCKS`` lists the Optional+Computed
blocks (the provider fills them from the API when the configuration leaves them
out). A list of ``*schema.Resource`` marked ForceNew (``network_profile``, its
``load_balancer_profile`` and ``nat_gateway_profile``, the node pool's
``windows_profile``) forces replacement through its item count (``.#``) and its
own ForceNew fields, not through any change inside it: the two profiles are
served with ``replace=False`` and their ForceNew fields marked; the one-field
``windows_profile`` is served with ``replace=True`` since its only field is
ForceNew too. As in ``schemas.py``, the implicit ``id`` is served as computed.
"""

from __future__ import annotations

from schemas import (BOOL, NUM, STR, STR_MAP, STR_SET, STRS, A, Block, Nested,  # noqa: F401
                     comp, obj, opt, optc, req)

#: The version served; the provider's tag is v4.81.0 (the newest 4.x tag).
AZURERM_VERSION = "4.81.0"
AZURERM_TAG_COMMIT = "5782a75422c68a0d0804ac16d97dcaf3df5ee2fa"

# --------------------------------------------------------------------------- provider
# internal/provider/provider.go (azureProvider), internal/provider/features.go
# (schemaFeatures): every argument takes an ARM_* environment default (DefaultFunc),
# which the wire schema does not show.

_FEATURE_BLOCKS = {
    "enhanced_validation": {"locations": BOOL, "resource_providers": BOOL,
                            "preflight_enabled": BOOL, "preflight_location_fallback": STR},
    "api_management": {"purge_soft_delete_on_destroy": BOOL, "recover_soft_deleted": BOOL},
    "app_configuration": {"purge_soft_delete_on_destroy": BOOL, "recover_soft_deleted": BOOL},
    "application_insights": {"disable_generated_rule": BOOL},
    "cognitive_account": {"purge_soft_delete_on_destroy": BOOL},
    "key_vault": {name: BOOL for name in (
        "purge_soft_delete_on_destroy", "purge_soft_deleted_certificates_on_destroy",
        "purge_soft_deleted_keys_on_destroy", "purge_soft_deleted_secrets_on_destroy",
        "purge_soft_deleted_hardware_security_modules_on_destroy",
        "purge_soft_deleted_hardware_security_module_keys_on_destroy",
        "recover_soft_deleted_certificates", "recover_soft_deleted_key_vaults",
        "recover_soft_deleted_keys", "recover_soft_deleted_secrets",
        "recover_soft_deleted_hardware_security_module_keys")},
    "log_analytics_workspace": {"permanently_delete_on_destroy": BOOL},
    "virtual_machine": {"detach_implicit_data_disk_on_deletion": BOOL,
                        "delete_os_disk_on_deletion": BOOL,
                        "skip_shutdown_and_force_delete": BOOL,
                        # 4.x only (deprecated)
                        "graceful_shutdown": BOOL},
    "virtual_machine_scale_set": {"force_delete": BOOL, "reimage_on_manual_upgrade": BOOL,
                                  "roll_instances_when_required": BOOL,
                                  "scale_to_zero_before_deletion": BOOL},
    "resource_group": {"prevent_deletion_if_contains_resources": BOOL},
    "recovery_services_vaults": {"recover_soft_deleted_backup_protected_vm": BOOL},
    "managed_disk": {"expand_without_downtime": BOOL},
    "storage": {"data_plane_available": BOOL},
    "subscription": {"prevent_cancellation_on_destroy": BOOL},
    "postgresql_flexible_server": {"restart_server_on_configuration_value_change": BOOL},
    "machine_learning": {"purge_soft_deleted_workspace_on_destroy": BOOL},
    "recovery_service": {"vm_backup_stop_protection_and_retain_data_on_destroy": BOOL,
                         "vm_backup_suspend_protection_and_retain_data_on_destroy": BOOL,
                         "purge_protected_items_from_vault_on_destroy": BOOL},
    "netapp": {"delete_backups_on_backup_vault_destroy": BOOL,
               "prevent_volume_destruction": BOOL},
    "databricks_workspace": {"force_delete": BOOL},
    "servicebus": {"auto_delete_subscription_default_rule": BOOL},
}
#: ``template_deployment``'s one field is Required.
_FEATURES = Block(
    attrs={"persist_id_on_create_before_polling_for_completion": opt(BOOL),
           "skip_import_check_on_create_and_allow_overwriting_existing_resources": opt(BOOL)},
    blocks={**{name: Nested(Block(attrs={a: opt(t) for a, t in fields.items()}), max_items=1)
               for name, fields in _FEATURE_BLOCKS.items()},
            "template_deployment": Nested(Block(attrs={
                "delete_nested_items_during_deletion": req(BOOL)}), max_items=1)})

AZURERM_PROVIDER = Block(attrs={
    "subscription_id": opt(STR), "tenant_id": opt(STR), "auxiliary_tenant_ids": opt(STRS),
    "environment": opt(STR), "metadata_host": opt(STR), "client_id": opt(STR),
    "client_id_file_path": opt(STR), "client_certificate": opt(STR),
    "client_certificate_path": opt(STR), "client_certificate_password": opt(STR),
    "client_secret": opt(STR), "client_secret_file_path": opt(STR), "use_oidc": opt(BOOL),
    "ado_pipeline_service_connection_id": opt(STR), "oidc_request_token": opt(STR),
    "oidc_request_url": opt(STR), "oidc_token": opt(STR), "oidc_token_file_path": opt(STR),
    "use_msi": opt(BOOL), "msi_endpoint": opt(STR), "msi_api_version": opt(STR),
    "use_cli": opt(BOOL), "use_aks_workload_identity": opt(BOOL), "partner_id": opt(STR),
    "disable_correlation_request_id": opt(BOOL), "disable_terraform_partner_id": opt(BOOL),
    "resource_provider_registrations": opt(STR), "resource_providers_to_register": opt(STRS),
    "storage_use_azuread": opt(BOOL),
    # 4.x only (deprecated)
    "skip_provider_registration": opt(BOOL),
}, blocks={
    # Required, MinItems 1, MaxItems 1: `features {}` must be there
    "features": Nested(_FEATURES, min_items=1, max_items=1),
    # 4.x only (deprecated, ConflictsWith features.0.enhanced_validation)
    "enhanced_validation": Nested(Block(attrs={"locations": opt(BOOL),
                                               "resource_providers": opt(BOOL)}), max_items=1),
})

# --------------------------------------------------------------------------- shared pieces
# go-azure-helpers commonschema: Location() (Required, ForceNew, StateFunc normalising,
# DiffSuppress), ResourceGroupName() (Required, ForceNew), Tags() (Optional map),
# ZonesMultipleOptional() (Optional set), EdgeZoneOptionalForceNew(),
# SystemOrUserAssignedIdentityOptional().

_IDENTITY_OBJECT = ["list", obj(client_id=STR, object_id=STR, user_assigned_identity_id=STR)]
_KUBE_CONFIG = ["list", obj(host=STR, username=STR, password=STR, client_certificate=STR,
                            client_key=STR, cluster_ca_certificate=STR)]

# internal/services/containers/kubernetes_nodepool.go (schemaNodePoolKubeletConfig, with
# the 4.x rewrite of container_log_max_files / container_log_max_line)
_KUBELET_CONFIG = Nested(Block(attrs={
    "cpu_manager_policy": opt(STR), "cpu_cfs_quota_enabled": opt(BOOL, default=True),
    "cpu_cfs_quota_period": opt(STR), "image_gc_high_threshold": opt(NUM),
    "image_gc_low_threshold": opt(NUM), "topology_manager_policy": opt(STR),
    "allowed_unsafe_sysctls": opt(STR_SET), "container_log_max_size_mb": opt(NUM),
    "container_log_max_files": optc(NUM), "container_log_max_line": optc(NUM),
    "pod_max_pid": opt(NUM),
}), max_items=1)

# schemaNodePoolSysctlConfig: every field an optional int but net_ipv4_tcp_tw_reuse
_SYSCTL_INTS = (
    "fs_aio_max_nr", "fs_file_max", "fs_inotify_max_user_watches", "fs_nr_open",
    "kernel_threads_max", "net_core_netdev_max_backlog", "net_core_optmem_max",
    "net_core_rmem_default", "net_core_rmem_max", "net_core_somaxconn",
    "net_core_wmem_default", "net_core_wmem_max", "net_ipv4_ip_local_port_range_min",
    "net_ipv4_ip_local_port_range_max", "net_ipv4_neigh_default_gc_thresh1",
    "net_ipv4_neigh_default_gc_thresh2", "net_ipv4_neigh_default_gc_thresh3",
    "net_ipv4_tcp_fin_timeout", "net_ipv4_tcp_keepalive_intvl",
    "net_ipv4_tcp_keepalive_probes", "net_ipv4_tcp_keepalive_time",
    "net_ipv4_tcp_max_syn_backlog", "net_ipv4_tcp_max_tw_buckets",
    "net_netfilter_nf_conntrack_buckets", "net_netfilter_nf_conntrack_max",
    "vm_max_map_count", "vm_swappiness", "vm_vfs_cache_pressure")
# schemaNodePoolLinuxOSConfig, with the 4.x transparent_huge_page(_enabled) rewrite
_LINUX_OS_CONFIG = Nested(Block(
    attrs={"transparent_huge_page": optc(STR), "transparent_huge_page_enabled": optc(STR),
           "transparent_huge_page_defrag": opt(STR), "swap_file_size_mb": opt(NUM)},
    blocks={"sysctl_config": Nested(Block(attrs={
        **{name: opt(NUM) for name in _SYSCTL_INTS},
        "net_ipv4_tcp_tw_reuse": opt(BOOL)}), max_items=1)}), max_items=1)

# schemaNodePoolNetworkProfile
_NODE_NETWORK_PROFILE = Nested(Block(
    attrs={"application_security_group_ids": opt(STRS),
           "node_public_ip_tags": opt(STR_MAP, replace=True)},
    blocks={"allowed_host_ports": Nested(Block(attrs={
        "port_start": opt(NUM), "port_end": opt(NUM), "protocol": opt(STR)}))}),
    max_items=1)

# --------------------------------------------------------------------------- the cluster
# internal/services/containers/kubernetes_nodepool.go (SchemaDefaultNodePool,
# upgradeSettingsSchemaClusterDefaultNodePool). `name` is not ForceNew in the schema:
# the resource's CustomizeDiff forces replacement when it changes (ForceNewIf), unless
# the pool was left under temporary_name_for_rotation by a failed rotation.
AZURERM_DEFAULT_NODE_POOL = Block(attrs={
    "name": req(STR), "temporary_name_for_rotation": opt(STR),
    "type": opt(STR, replace=True, default="VirtualMachineScaleSets"),
    # Optional+Computed: AKS picks a size when it is left out
    "vm_size": optc(STR),
    "capacity_reservation_group_id": opt(STR, replace=True), "fips_enabled": opt(BOOL),
    "gpu_instance": opt(STR, replace=True), "gpu_driver": opt(STR, replace=True),
    "kubelet_disk_type": optc(STR), "max_count": opt(NUM), "max_pods": optc(NUM),
    "min_count": opt(NUM), "node_count": optc(NUM), "node_labels": optc(STR_MAP),
    "node_public_ip_prefix_id": opt(STR, replace=True), "tags": opt(STR_MAP),
    "os_disk_size_gb": optc(NUM), "os_disk_type": opt(STR, default="Managed"),
    "os_sku": optc(STR), "ultra_ssd_enabled": opt(BOOL, default=False),
    "vnet_subnet_id": opt(STR), "orchestrator_version": optc(STR), "pod_subnet_id": opt(STR),
    "proximity_placement_group_id": opt(STR, replace=True),
    "only_critical_addons_enabled": opt(BOOL), "scale_down_mode": opt(STR, default="Delete"),
    "snapshot_id": opt(STR), "host_group_id": opt(STR, replace=True),
    "workload_runtime": optc(STR), "zones": opt(STR_SET), "auto_scaling_enabled": opt(BOOL),
    "node_public_ip_enabled": opt(BOOL), "host_encryption_enabled": opt(BOOL),
}, blocks={
    "kubelet_config": _KUBELET_CONFIG, "linux_os_config": _LINUX_OS_CONFIG,
    "node_network_profile": _NODE_NETWORK_PROFILE,
    "upgrade_settings": Nested(Block(attrs={
        "max_surge": req(STR), "drain_timeout_in_minutes": opt(NUM),
        "node_soak_duration_in_minutes": opt(NUM), "undrainable_node_behavior": opt(STR)}),
        max_items=1),
})

_MAINTENANCE_NOT_ALLOWED = Nested(Block(attrs={"end": req(STR), "start": req(STR)}),
                                  nesting="set")
_MAINTENANCE_SCHEDULE = Block(attrs={
    "frequency": req(STR), "interval": req(NUM), "day_of_week": opt(STR),
    "duration": req(NUM), "week_index": opt(STR), "day_of_month": opt(NUM),
    "start_date": optc(STR), "start_time": opt(STR), "utc_offset": opt(STR),
}, blocks={"not_allowed": _MAINTENANCE_NOT_ALLOWED})

# internal/services/containers/kubernetes_cluster_resource.go (resourceKubernetesCluster)
# and kubernetes_addons.go (schemaKubernetesAddOns, merged into it)
AZURERM_KUBERNETES_CLUSTER = Block(
    attrs={
        "id": comp(STR),
        "name": req(STR, replace=True),
        "location": req(STR, replace=True),
        "resource_group_name": req(STR, replace=True),
        "automatic_upgrade_channel": opt(STR),
        "cost_analysis_enabled": opt(BOOL),
        "custom_ca_trust_certificates_base64": opt(STRS),
        "disk_encryption_set_id": opt(STR, replace=True),
        "dns_prefix": opt(STR, replace=True),
        "dns_prefix_private_cluster": opt(STR, replace=True),
        "edge_zone": opt(STR, replace=True),
        "fqdn": comp(STR),
        "image_cleaner_enabled": opt(BOOL),
        "image_cleaner_interval_hours": opt(NUM),
        # computed-only lists of objects: attributes; Sensitive on the list
        "kube_admin_config": comp(_KUBE_CONFIG, sensitive=True),
        "kube_admin_config_raw": comp(STR, sensitive=True),
        "kube_config": comp(_KUBE_CONFIG, sensitive=True),
        "kube_config_raw": comp(STR, sensitive=True),
        # updated in place (the control plane is upgraded), not ForceNew
        "kubernetes_version": optc(STR),
        "local_account_disabled": opt(BOOL),
        "node_os_upgrade_channel": opt(STR, default="NodeImage"),
        "node_resource_group": optc(STR, replace=True),
        "current_kubernetes_version": comp(STR),
        "node_resource_group_id": comp(STR),
        # 4.x: Optional+Computed (AKS decides when it is left out); CustomizeDiff forces
        # replacement when it goes from true to false and marks oidc_issuer_url unknown
        # when it changes
        "oidc_issuer_enabled": optc(BOOL),
        "oidc_issuer_url": comp(STR),
        "private_fqdn": comp(STR),
        "portal_fqdn": comp(STR),
        "private_cluster_enabled": opt(BOOL, replace=True, default=False),
        "private_cluster_public_fqdn_enabled": opt(BOOL, default=False),
        "private_dns_zone_id": optc(STR, replace=True),
        "role_based_access_control_enabled": opt(BOOL, replace=True, default=True),
        "run_command_enabled": opt(BOOL, default=True),
        "sku_tier": opt(STR, default="Free"),
        "support_plan": opt(STR, default="KubernetesOfficial"),
        "tags": opt(STR_MAP),
        "ai_toolchain_operator_enabled": opt(BOOL, default=False),
        "workload_identity_enabled": opt(BOOL, default=False),
        # add-ons (kubernetes_addons.go)
        "azure_policy_enabled": opt(BOOL),
        "http_application_routing_enabled": opt(BOOL),
        "http_application_routing_zone_name": comp(STR),
        "open_service_mesh_enabled": opt(BOOL),
    },
    blocks={
        "api_server_access_profile": Nested(Block(attrs={
            "authorized_ip_ranges": opt(STR_SET),
            "virtual_network_integration_enabled": opt(BOOL, default=False),
            "subnet_id": opt(STR)}), max_items=1),
        # Optional+Computed
        "auto_scaler_profile": Nested(Block(attrs={
            "balance_similar_node_groups": opt(BOOL, default=False),
            "daemonset_eviction_for_empty_nodes_enabled": opt(BOOL, default=False),
            "daemonset_eviction_for_occupied_nodes_enabled": opt(BOOL, default=True),
            "expander": opt(STR, default="random"),
            "ignore_daemonsets_utilization_enabled": opt(BOOL, default=False),
            "max_graceful_termination_sec": optc(STR),
            "max_node_provisioning_time": opt(STR, default="15m"),
            "max_unready_nodes": opt(NUM, default=3),
            "max_unready_percentage": opt(NUM, default=45),
            "new_pod_scale_up_delay": optc(STR), "scan_interval": optc(STR),
            "scale_down_delay_after_add": optc(STR),
            "scale_down_delay_after_delete": optc(STR),
            "scale_down_delay_after_failure": optc(STR), "scale_down_unneeded": optc(STR),
            "scale_down_unready": optc(STR), "scale_down_utilization_threshold": optc(STR),
            "empty_bulk_delete_max": optc(STR), "skip_nodes_with_local_storage": opt(BOOL),
            "skip_nodes_with_system_pods": opt(BOOL, default=True)}), max_items=1),
        "azure_active_directory_role_based_access_control": Nested(Block(attrs={
            "tenant_id": optc(STR), "azure_rbac_enabled": opt(BOOL),
            "admin_group_object_ids": opt(STRS)}), max_items=1),
        "default_node_pool": Nested(AZURERM_DEFAULT_NODE_POOL, min_items=1, max_items=1),
        "http_proxy_config": Nested(Block(attrs={
            "http_proxy": opt(STR), "https_proxy": opt(STR), "no_proxy": opt(STR_SET),
            "trusted_ca": opt(STR, sensitive=True)}), max_items=1),
        "identity": Nested(Block(attrs={
            "type": req(STR), "identity_ids": opt(STR_SET), "principal_id": comp(STR),
            "tenant_id": comp(STR)}), max_items=1),
        "web_app_routing": Nested(Block(attrs={
            "dns_zone_ids": req(STRS),
            "default_nginx_controller": opt(STR, default="AnnotationControlled"),
            "web_app_routing_identity": comp(_IDENTITY_OBJECT)}), max_items=1),
        # Optional+Computed
        "kubelet_identity": Nested(Block(attrs={
            "client_id": optc(STR, replace=True), "object_id": optc(STR, replace=True),
            "user_assigned_identity_id": optc(STR, replace=True)}), max_items=1),
        "linux_profile": Nested(Block(
            attrs={"admin_username": req(STR, replace=True)},
            blocks={"ssh_key": Nested(Block(attrs={"key_data": req(STR, replace=True)}),
                                      min_items=1, max_items=1)}), max_items=1),
        # Optional+Computed
        "bootstrap_profile": Nested(Block(attrs={
            "artifact_source": opt(STR, default="Direct"),
            "container_registry_id": opt(STR)}), max_items=1),
        "maintenance_window": Nested(Block(blocks={
            "allowed": Nested(Block(attrs={"day": req(STR), "hours": req(["set", NUM])}),
                              nesting="set"),
            "not_allowed": _MAINTENANCE_NOT_ALLOWED}), max_items=1),
        "maintenance_window_auto_upgrade": Nested(_MAINTENANCE_SCHEDULE, max_items=1),
        "maintenance_window_node_os": Nested(_MAINTENANCE_SCHEDULE, max_items=1),
        "monitor_metrics": Nested(Block(attrs={
            "annotations_allowed": opt(STR), "labels_allowed": opt(STR)}), max_items=1),
        "key_management_service": Nested(Block(attrs={
            "key_vault_key_id": req(STR),
            "key_vault_network_access": opt(STR, default="Public")}), max_items=1),
        "microsoft_defender": Nested(Block(attrs={"log_analytics_workspace_id": req(STR)}),
                                     max_items=1),
        # Optional+Computed, ForceNew (through its item count; see the module docstring)
        "network_profile": Nested(Block(
            attrs={
                "network_plugin": req(STR), "network_mode": optc(STR, replace=True),
                "network_policy": optc(STR), "dns_service_ip": optc(STR, replace=True),
                "network_data_plane": opt(STR, default="azure"),
                "network_plugin_mode": opt(STR), "pod_cidr": optc(STR),
                "pod_cidrs": optc(STRS), "service_cidr": optc(STR, replace=True),
                "service_cidrs": optc(STRS, replace=True),
                "load_balancer_sku": opt(STR, replace=True, default="standard"),
                "outbound_type": opt(STR, default="loadBalancer"),
                "ip_versions": optc(STRS, replace=True)},
            blocks={
                # Optional+Computed, ForceNew (count)
                "load_balancer_profile": Nested(Block(attrs={
                    "outbound_ports_allocated": opt(NUM, default=0),
                    "idle_timeout_in_minutes": opt(NUM, default=30),
                    "managed_outbound_ip_count": optc(NUM),
                    "managed_outbound_ipv6_count": optc(NUM),
                    "outbound_ip_prefix_ids": opt(STR_SET),
                    "outbound_ip_address_ids": opt(STR_SET),
                    "effective_outbound_ips": comp(STR_SET),
                    "backend_pool_type": opt(STR, default="NodeIPConfiguration")}),
                    max_items=1),
                # Optional+Computed, ForceNew (count)
                "nat_gateway_profile": Nested(Block(attrs={
                    "idle_timeout_in_minutes": opt(NUM, default=4),
                    "managed_outbound_ip_count": optc(NUM),
                    "effective_outbound_ips": comp(STR_SET)}), max_items=1),
                "advanced_networking": Nested(Block(attrs={
                    "observability_enabled": opt(BOOL, default=False),
                    "security_enabled": opt(BOOL, default=False)}), max_items=1),
            }), max_items=1),
        "service_mesh_profile": Nested(Block(
            attrs={"mode": req(STR), "internal_ingress_gateway_enabled": opt(BOOL),
                   "external_ingress_gateway_enabled": opt(BOOL), "revisions": req(STRS)},
            blocks={"certificate_authority": Nested(Block(attrs={
                "key_vault_id": req(STR), "root_cert_object_name": req(STR),
                "cert_chain_object_name": req(STR), "cert_object_name": req(STR),
                "key_object_name": req(STR)}), max_items=1)}), max_items=1),
        "service_principal": Nested(Block(attrs={
            "client_id": req(STR), "client_secret": req(STR, sensitive=True)}), max_items=1),
        "storage_profile": Nested(Block(attrs={
            "blob_driver_enabled": opt(BOOL, default=False),
            "disk_driver_enabled": opt(BOOL, default=True),
            "file_driver_enabled": opt(BOOL, default=True),
            "snapshot_controller_enabled": opt(BOOL, default=True)}), max_items=1),
        "upgrade_override": Nested(Block(attrs={
            "force_upgrade_enabled": req(BOOL), "effective_until": opt(STR)}), max_items=1),
        # Optional+Computed
        "windows_profile": Nested(Block(
            attrs={"admin_username": req(STR, replace=True),
                   "admin_password": req(STR, sensitive=True), "license": opt(STR)},
            blocks={"gmsa": Nested(Block(attrs={"dns_server": req(STR),
                                                "root_domain": req(STR)}), max_items=1)}),
            max_items=1),
        "workload_autoscaler_profile": Nested(Block(attrs={
            "keda_enabled": opt(BOOL, default=False),
            "vertical_pod_autoscaler_enabled": opt(BOOL, default=False)}), max_items=1),
        # 4.x: Optional+Computed (Required with 5.0)
        "node_provisioning_profile": Nested(Block(attrs={
            "mode": opt(STR, default="Manual"),
            "default_node_pools": opt(STR, default="Auto")}), max_items=1),
        # add-ons (kubernetes_addons.go)
        "aci_connector_linux": Nested(Block(attrs={
            "subnet_name": req(STR), "connector_identity": comp(_IDENTITY_OBJECT)}),
            max_items=1),
        "confidential_computing": Nested(Block(attrs={"sgx_quote_helper_enabled": req(BOOL)}),
                                         max_items=1),
        "oms_agent": Nested(Block(attrs={
            "log_analytics_workspace_id": req(STR),
            "msi_auth_for_monitoring_enabled": opt(BOOL),
            "oms_agent_identity": comp(_IDENTITY_OBJECT)}), max_items=1),
        "ingress_application_gateway": Nested(Block(attrs={
            "gateway_id": opt(STR), "gateway_name": opt(STR), "subnet_cidr": opt(STR),
            "subnet_id": opt(STR), "effective_gateway_id": comp(STR),
            "ingress_application_gateway_identity": comp(_IDENTITY_OBJECT)}), max_items=1),
        "key_vault_secrets_provider": Nested(Block(attrs={
            "secret_rotation_enabled": opt(BOOL, default=False),
            "secret_rotation_interval": opt(STR, default="2m"),
            "secret_identity": comp(_IDENTITY_OBJECT)}), max_items=1),
    })

# internal/services/containers/kubernetes_cluster_node_pool_resource.go
# (resourceKubernetesClusterNodePoolSchema, upgradeSettingsSchemaNodePoolResource, and
# the 4.x rewrites in resourceKubernetesClusterNodePool)
AZURERM_KUBERNETES_CLUSTER_NODE_POOL = Block(
    attrs={
        "id": comp(STR),
        "name": req(STR, replace=True), "kubernetes_cluster_id": req(STR, replace=True),
        "node_count": optc(NUM), "tags": opt(STR_MAP),
        # Optional+Computed, not ForceNew: a change cycles the pool (temporary_name_for_rotation)
        "vm_size": optc(STR),
        "host_group_id": opt(STR, replace=True),
        "capacity_reservation_group_id": opt(STR, replace=True),
        "eviction_policy": opt(STR, replace=True), "fips_enabled": opt(BOOL),
        "gpu_instance": opt(STR, replace=True), "gpu_driver": opt(STR, replace=True),
        "kubelet_disk_type": optc(STR), "max_count": opt(NUM), "max_pods": optc(NUM),
        "mode": opt(STR, default="User"), "min_count": opt(NUM), "node_labels": optc(STR_MAP),
        "node_public_ip_prefix_id": opt(STR, replace=True), "node_taints": opt(STRS),
        "node_image_version": comp(STR), "orchestrator_version": optc(STR),
        "os_disk_size_gb": optc(NUM), "os_disk_type": opt(STR, default="Managed"),
        # CustomizeDiff: ForceNew unless old and new are both Ubuntu*/AzureLinux*
        "os_sku": optc(STR),
        "os_type": opt(STR, replace=True, default="Linux"), "pod_subnet_id": opt(STR),
        "priority": opt(STR, replace=True, default="Regular"),
        "proximity_placement_group_id": opt(STR, replace=True), "snapshot_id": opt(STR),
        "spot_max_price": opt(NUM, replace=True, default=-1),
        "scale_down_mode": opt(STR, default="Delete"),
        "temporary_name_for_rotation": opt(STR),
        "ultra_ssd_enabled": opt(BOOL, default=False), "vnet_subnet_id": opt(STR),
        "workload_runtime": opt(STR), "zones": opt(STR_SET),
        "auto_scaling_enabled": opt(BOOL), "node_public_ip_enabled": opt(BOOL),
        "host_encryption_enabled": opt(BOOL),
    },
    blocks={
        "kubelet_config": _KUBELET_CONFIG, "linux_os_config": _LINUX_OS_CONFIG,
        "node_network_profile": _NODE_NETWORK_PROFILE,
        "upgrade_settings": Nested(Block(attrs={
            "max_surge": opt(STR), "drain_timeout_in_minutes": opt(NUM),
            "max_unavailable": opt(STR), "node_soak_duration_in_minutes": opt(NUM),
            "undrainable_node_behavior": opt(STR)}), max_items=1),
        "windows_profile": Nested(Block(attrs={
            "outbound_nat_enabled": opt(BOOL, replace=True, default=True)}),
            max_items=1, replace=True),
    })

# --------------------------------------------------------------------------- resource group
# internal/services/resource/resource_group_resource.go (resourceResourceGroup)
AZURERM_RESOURCE_GROUP = Block(attrs={
    "id": comp(STR), "name": req(STR, replace=True), "location": req(STR, replace=True),
    "tags": opt(STR_MAP), "managed_by": opt(STR),
})

# --------------------------------------------------------------------------- data sources
# internal/services/resource/resource_group_data_source.go (dataSourceResourceGroup)
AZURERM_RESOURCE_GROUP_DATA = Block(attrs={
    "id": comp(STR), "name": req(STR), "location": comp(STR), "tags": comp(STR_MAP),
    "managed_by": comp(STR),
})

# internal/services/containers/kubernetes_service_versions_data_source.go: `location` is
# commonschema.Location() (Required, ForceNew, normalised); include_preview defaults to true
AZURERM_KUBERNETES_SERVICE_VERSIONS_DATA = Block(attrs={
    "id": comp(STR), "location": req(STR, replace=True), "version_prefix": opt(STR),
    "versions": comp(STRS), "latest_version": comp(STR), "default_version": comp(STR),
    "include_preview": opt(BOOL, default=True),
})

# internal/services/subscription/location_data_source.go (LocationDataSource, a typed
# sdk.DataSource: Arguments + Attributes, wrapped into SDKv2)
AZURERM_LOCATION_DATA = Block(attrs={
    "id": comp(STR), "location": req(STR), "display_name": comp(STR),
    "zone_mappings": comp(["list", obj(logical_zone=STR, physical_zone=STR)]),
})

# --------------------------------------------------------------------------- tables

AZURERM_RESOURCES = {
    "azurerm_resource_group": AZURERM_RESOURCE_GROUP,
    "azurerm_kubernetes_cluster": AZURERM_KUBERNETES_CLUSTER,
    "azurerm_kubernetes_cluster_node_pool": AZURERM_KUBERNETES_CLUSTER_NODE_POOL,
}
AZURERM_DATA_SOURCES = {
    "azurerm_resource_group": AZURERM_RESOURCE_GROUP_DATA,
    "azurerm_kubernetes_service_versions": AZURERM_KUBERNETES_SERVICE_VERSIONS_DATA,
    "azurerm_location": AZURERM_LOCATION_DATA,
}

#: Plugin-framework types among these: none (every one is SDKv2, legacy type system).
FRAMEWORK_TYPES: frozenset = frozenset()

#: Blocks (dotted paths) that are Optional+Computed in the source.
OPTIONAL_COMPUTED_BLOCKS = {
    "azurerm_kubernetes_cluster": (
        "auto_scaler_profile", "kubelet_identity", "bootstrap_profile", "network_profile",
        "network_profile.load_balancer_profile", "network_profile.nat_gateway_profile",
        "windows_profile", "node_provisioning_profile"),
}


def legacy_type_system(kind: str, type_name: str) -> bool:
    """Whether the type speaks SDKv2's legacy type system (all azurerm types here do)."""
    return type_name not in FRAMEWORK_TYPES


def provider_entry() -> tuple:
    """``schemas.PROVIDERS["azurerm"]``."""
    return ("hashicorp", AZURERM_VERSION, AZURERM_PROVIDER, AZURERM_RESOURCES,
            AZURERM_DATA_SOURCES, True)


# schemas.py's PROVIDERS["azurerm"], for when this module was imported before schemas.
import schemas as _schemas  # noqa: E402

_schemas.PROVIDERS.setdefault("azurerm", provider_entry())
