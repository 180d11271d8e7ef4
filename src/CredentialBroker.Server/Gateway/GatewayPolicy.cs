using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CredentialBroker.Server.Gateway;

/// <summary>What the gateway enforces on calls with a purpose's credentials (stored as JSON on the purpose).</summary>
public sealed record GatewayPolicy
{
    public static readonly GatewayPolicy Default = new();

    /// <summary>Endpoint names the credentials may call; empty allows all.</summary>
    public IReadOnlyList<string> AllowedEndpoints { get; init; } = [];

    /// <summary>Largest output one call may ask for; 0 means the model's limit.</summary>
    public int MaxOutputTokens { get; init; }

    /// <summary>Highest Broker-Call-Depth accepted; 0 accepts direct calls only.</summary>
    public int MaxCallDepth { get; init; }

    /// <summary>Calls must also present the identity of the credential's workload.</summary>
    public bool RequireSenderBinding { get; init; }

    /// <summary>What happens to calls for models without a price.</summary>
    public UnpricedPolicy Unpriced { get; init; }

    /// <summary>Charge per unpriced call under <see cref="UnpricedPolicy.Cap"/>.</summary>
    public long UnpricedCapMicroUsd { get; init; }

    /// <summary>Limits on each credential of the purpose.</summary>
    public Limits CredentialLimits { get; init; } = Limits.None;

    /// <summary>Limits on all credentials of the purpose together.</summary>
    public Limits PurposeLimits { get; init; } = Limits.None;

    /// <summary>Tool names or glob patterns ("shell_*") that need an approval before a call may declare them.</summary>
    public IReadOnlyList<string> HighRiskTools { get; init; } = [];

    /// <summary>How deep credentials may be delegated; 0 allows no delegation.</summary>
    public int MaxDelegationDepth { get; init; }
}

/// <summary>Calls for models without a price: refused, or charged a fixed amount each.</summary>
public enum UnpricedPolicy
{
    Refuse,
    Cap,
}

/// <summary>Rate limits and budgets of one scope; zero means unlimited.</summary>
public sealed record Limits
{
    public static readonly Limits None = new();

    public long RequestsPerMinute { get; init; }

    public long TokensPerMinute { get; init; }

    public IReadOnlyList<BudgetLimit> Budgets { get; init; } = [];

    [JsonIgnore]
    public bool IsEmpty => RequestsPerMinute == 0 && TokensPerMinute == 0 && Budgets.Count == 0;
}

/// <summary>A ceiling on money and/or tokens in one window; zero means no ceiling of that kind.</summary>
public sealed record BudgetLimit(BudgetWindow Window, long MaxMicroUsd, long MaxTokens, int AlertPercent);

/// <summary>The window a budget counts over.</summary>
public enum BudgetWindow
{
    Day,
    Month,
    Lifetime,
}

/// <summary>Price of one model in micro-USD per million tokens, and its output limit.</summary>
public sealed record ModelPrice(string Model, long InputMicroUsdPerMillion, long CachedInputMicroUsdPerMillion, long OutputMicroUsdPerMillion, int MaxOutputTokens);

/// <summary>JSON form of the gateway's policy types in the database.</summary>
internal static class PolicyJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    public static ValueConverter<T, string> Converter<T>(T empty)
        where T : class =>
        new(v => JsonSerializer.Serialize(v, Options), s => JsonSerializer.Deserialize<T>(s, Options) ?? empty);

    public static ValueComparer<T> Comparer<T>()
        where T : class =>
        new(
            (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
            v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
            v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!);
}
