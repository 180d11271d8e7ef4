using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Http;

/// <summary>How one provider authenticates callers and shapes its errors.</summary>
internal abstract class ProviderDialect
{
    public abstract bool IsAuthorized(HttpRequest request);

    /// <summary>Answers 401 in the provider's error shape.</summary>
    public abstract Task UnauthorizedAsync(HttpContext context);

    /// <summary>Answers 400 in the provider's error shape; <paramref name="param"/> names the offending field.</summary>
    public abstract Task InvalidRequestAsync(HttpContext context, string message, string? param);

    /// <summary>Whether the request carries <c>Authorization: Bearer &lt;non-empty&gt;</c>.</summary>
    protected static bool HasBearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(header["Bearer ".Length..]);
    }
}
