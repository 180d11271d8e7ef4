using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Reports.Controls;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Reports;

internal static class ReportExtensions
{
    /// <summary>Inventory and the compliance report with its controls (run in registration order).</summary>
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddSingleton<InventoryQuery>();
        services.AddSingleton<IOptions<ComplianceOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<BrokerOptions>>().Value.Compliance));
        services.AddSingleton<IComplianceControl, OwnerAndPurposeControl>();
        services.AddSingleton<IComplianceControl, OffboardingControl>();
        services.AddSingleton<IComplianceControl, LifetimeByTierControl>();
        services.AddSingleton<IComplianceControl, StaleCredentialControl>();
        services.AddSingleton<IComplianceControl, SingleIdentityControl>();
        services.AddSingleton<IComplianceControl, LeastPrivilegeControl>();
        services.AddSingleton<IComplianceControl, HighRiskToolControl>();
        services.AddSingleton<IComplianceControl, UpstreamKeyControl>();
        services.AddSingleton<IComplianceControl, SecretStorageControl>();
        services.AddSingleton<IComplianceControl, AuditChainControl>();
        return services;
    }
}
