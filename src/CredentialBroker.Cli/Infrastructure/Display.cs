using System.Globalization;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Human-readable renderings of proto values.</summary>
public static class Display
{
    /// <summary>"in 14m (2026-01-01 12:00:00Z)" or "3h ago (...)"; empty when unset.</summary>
    public static string When(Timestamp? timestamp, TimeProvider time)
    {
        if (timestamp is null)
        {
            return string.Empty;
        }

        var at = timestamp.ToDateTimeOffset();
        // Whole seconds: the broker stores times at a coarser precision than the local clock.
        var delta = TimeSpan.FromSeconds(Math.Round((at - time.GetUtcNow()).TotalSeconds));
        var relative = delta >= TimeSpan.Zero ? "in " + Span(delta) : Span(-delta) + " ago";
        return $"{relative} ({Absolute(timestamp)})";
    }

    /// <summary>UTC time as "yyyy-MM-dd HH:mm:ssZ"; empty when unset.</summary>
    public static string Absolute(Timestamp? timestamp) =>
        timestamp is null ? string.Empty : timestamp.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Compact span: 45s, 14m, 3h, 2d.</summary>
    public static string Span(TimeSpan span) => span switch
    {
        { TotalSeconds: < 60 } => $"{(int)span.TotalSeconds}s",
        { TotalMinutes: < 60 } => $"{(int)span.TotalMinutes}m",
        { TotalHours: < 48 } => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };

    /// <summary>Duration as a compact span; empty when unset.</summary>
    public static string Span(Duration? duration) => duration is null ? string.Empty : Span(duration.ToTimeSpan());

    public static string Status(CredentialStatus status) => status switch
    {
        CredentialStatus.Active => "active",
        CredentialStatus.Expired => "expired",
        CredentialStatus.Revoked => "revoked",
        CredentialStatus.Suspended => "suspended",
        _ => "unknown",
    };

    public static string Role(Role role) => role switch
    {
        V1.Role.Workload => "workload",
        V1.Role.Owner => "owner",
        V1.Role.Security => "security",
        V1.Role.Admin => "admin",
        _ => string.Empty,
    };

    public static string Tier(RiskTier tier) => tier switch
    {
        RiskTier.Sandbox => "sandbox",
        RiskTier.Internal => "internal",
        RiskTier.CustomerFacing => "customer-facing",
        _ => string.Empty,
    };

    public static string Window(BudgetWindow window) => window switch
    {
        BudgetWindow.Day => "day",
        BudgetWindow.Month => "month",
        BudgetWindow.Lifetime => "lifetime",
        _ => "unspecified",
    };
}
