using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Policy;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Persistence;

/// <summary>The broker's tables. The schema itself is owned by the SQL files in migrations/.</summary>
public sealed class BrokerDbContext(DbContextOptions<BrokerDbContext> options) : DbContext(options)
{
    public DbSet<Owner> Owners => Set<Owner>();
    public DbSet<Workload> Workloads => Set<Workload>();
    public DbSet<Purpose> Purposes => Set<Purpose>();
    public DbSet<Grant> Grants => Set<Grant>();
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<RevocationWatermark> RevocationWatermarks => Set<RevocationWatermark>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Approvals.ToolApproval> ToolApprovals => Set<Approvals.ToolApproval>();
    public DbSet<Anomalies.Anomaly> Anomalies => Set<Anomalies.Anomaly>();
    public DbSet<Delivery.UpstreamKey> UpstreamKeys => Set<Delivery.UpstreamKey>();
    public DbSet<Delivery.PoolKey> PoolKeys => Set<Delivery.PoolKey>();
    public DbSet<Delivery.ShadowKey> ShadowKeys => Set<Delivery.ShadowKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BrokerDbContext).Assembly);
        modelBuilder.HasDbFunction(typeof(WatermarkFunctions).GetMethod(nameof(WatermarkFunctions.CredentialWatermark))!)
            .HasName("credential_watermark");
    }
}
