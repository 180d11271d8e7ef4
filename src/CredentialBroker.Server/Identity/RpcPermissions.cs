using CredentialBroker.V1;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Which roles may call which RPC: the whole role matrix in one place. An RPC that is not listed
/// is refused to everyone (safe default). Per-resource rules (a workload's own credentials, an
/// owner's own) are checked by the services on top of this.
/// </summary>
internal static class RpcPermissions
{
    private static readonly BrokerRole[] _adminOnly = [BrokerRole.Admin];
    private static readonly BrokerRole[] _securityAndAdmin = [BrokerRole.Security, BrokerRole.Admin];
    private static readonly BrokerRole[] _everyone = [BrokerRole.Workload, BrokerRole.Owner, BrokerRole.Security, BrokerRole.Admin];

    private static readonly Dictionary<string, BrokerRole[]> _byMethod = Build();

    /// <summary>Methods anyone may call without credentials (health, reflection).</summary>
    public static bool IsPublic(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal) ||
        method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);

    public static IReadOnlyList<BrokerRole> AllowedRoles(string method) =>
        _byMethod.TryGetValue(method, out var roles) ? roles : [];

    private static Dictionary<string, BrokerRole[]> Build()
    {
        var map = new Dictionary<string, BrokerRole[]>(StringComparer.Ordinal);
        void Add(string service, string method, BrokerRole[] roles) => map[$"/{service}/{method}"] = roles;

        var credentials = CredentialService.Descriptor.FullName;
        Add(credentials, "IssueCredential", [BrokerRole.Workload]);
        Add(credentials, "RenewCredential", [BrokerRole.Workload, BrokerRole.Owner]);
        Add(credentials, "RevokeCredential", _everyone);
        Add(credentials, "GetCredential", _everyone);
        Add(credentials, "ListCredentials", _everyone);
        Add(credentials, "DelegateCredential", [BrokerRole.Workload, BrokerRole.Owner]);

        // Approvals: a second person with the security role decides; admin alone is not enough.
        var approvals = ApprovalService.Descriptor.FullName;
        Add(approvals, "RequestToolApproval", [BrokerRole.Workload, BrokerRole.Owner]);
        Add(approvals, "ApproveToolUse", [BrokerRole.Security]);
        Add(approvals, "DenyToolUse", [BrokerRole.Security]);
        Add(approvals, "ListApprovals", _everyone);

        var revocation = RevocationService.Descriptor.FullName;
        Add(revocation, "RevokeMatching", _securityAndAdmin);
        Add(revocation, "GetRevocation", _securityAndAdmin);

        Add(IdentityService.Descriptor.FullName, "WhoAmI", _everyone);
        Add(UsageService.Descriptor.FullName, "GetUsage", _everyone);

        Add(ReportService.Descriptor.FullName, "GetInventory", _securityAndAdmin);
        Add(ReportService.Descriptor.FullName, "GetComplianceReport", _securityAndAdmin);

        var audit = AuditService.Descriptor.FullName;
        Add(audit, "ListAuditEvents", _securityAndAdmin);
        Add(audit, "VerifyAuditChain", _securityAndAdmin);

        foreach (var method in AnomalyService.Descriptor.Methods)
        {
            Add(AnomalyService.Descriptor.FullName, method.Name, _securityAndAdmin);
        }

        foreach (var method in AdminService.Descriptor.Methods)
        {
            Add(AdminService.Descriptor.FullName, method.Name, _adminOnly);
        }

        // Shadow keys are a security finding as much as an admin one.
        Add(AdminService.Descriptor.FullName, "ListShadowKeys", _securityAndAdmin);

        return map;
    }
}
