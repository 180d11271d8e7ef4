using System.Net;
using System.Text.Json.Nodes;

namespace CredentialBroker.Server.Providers.Vault;

/// <summary>Logging in (token file, AppRole, Kubernetes) and renewing the token before it expires.</summary>
internal sealed partial class VaultClient
{
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private VaultToken? _token;

    /// <summary>The current token; renewed when due, replaced when renewal is impossible or it was <paramref name="refused"/>.</summary>
    private async Task<VaultToken> TokenAsync(CancellationToken cancellationToken, VaultToken? refused = null)
    {
        var token = _token;
        if (token is not null && token != refused && !token.IsDue(time.GetUtcNow()))
        {
            return token;
        }

        await _loginLock.WaitAsync(cancellationToken);
        try
        {
            token = _token;
            var now = time.GetUtcNow();
            if (token is not null && token != refused && !token.IsDue(now))
            {
                return token;
            }

            if (token is not null && token != refused && token.Renewable && token.ExpiresAt > now)
            {
                try
                {
                    var renewed = await RenewAsync(token, cancellationToken);
                    // Renewal that no longer extends the lease (max TTL reached) is as good as impossible.
                    if (renewed.ExpiresAt is null || renewed.ExpiresAt > token.ExpiresAt + TimeSpan.FromSeconds(1))
                    {
                        LogRenewed(logger, renewed.ExpiresAt);
                        return _token = renewed;
                    }
                }
                catch (VaultException ex)
                {
                    LogRenewFailed(logger, ex.Message);
                }
            }

            _token = await LoginAsync(cancellationToken);
            LogLoggedIn(logger, Options.AuthMethod, _token.ExpiresAt);
            return _token;
        }
        finally
        {
            _loginLock.Release();
        }
    }

    private async Task<VaultToken> RenewAsync(VaultToken token, CancellationToken cancellationToken)
    {
        const string what = "token renewal (auth/token/renew-self)";
        var (status, json) = await RawAsync(HttpMethod.Post, "v1/auth/token/renew-self", [], token.Value, what, cancellationToken);
        return status == HttpStatusCode.OK ? ParseAuth(json, what) : throw Failure(status, json, what);
    }

    private async Task<VaultToken> LoginAsync(CancellationToken cancellationToken)
    {
        var o = Options;
        switch (o.AuthMethod.ToLowerInvariant())
        {
            case "token":
                var file = o.TokenFile ?? throw new VaultException(VaultErrorKind.NotConfigured, "Broker:Vault:AuthMethod is 'token' but Broker:Vault:TokenFile is not set.");
                return new VaultToken(ReadSecretFile(file, "Broker:Vault:TokenFile"), null, TimeSpan.Zero, false);
            case "approle":
                var roleId = o.AppRoleRoleId ?? throw new VaultException(VaultErrorKind.NotConfigured, "Broker:Vault:AuthMethod is 'approle' but Broker:Vault:AppRoleRoleId is not set.");
                var secretIdFile = o.AppRoleSecretIdFile ?? throw new VaultException(VaultErrorKind.NotConfigured, "Broker:Vault:AuthMethod is 'approle' but Broker:Vault:AppRoleSecretIdFile is not set.");
                return await LoginWithAsync($"v1/auth/{o.AppRoleMount}/login", new JsonObject { ["role_id"] = roleId, ["secret_id"] = ReadSecretFile(secretIdFile, "Broker:Vault:AppRoleSecretIdFile") },
                    $"AppRole login (auth/{o.AppRoleMount})", cancellationToken);
            case "kubernetes":
                var role = o.KubernetesRole ?? throw new VaultException(VaultErrorKind.NotConfigured, "Broker:Vault:AuthMethod is 'kubernetes' but Broker:Vault:KubernetesRole is not set.");
                return await LoginWithAsync($"v1/auth/{o.KubernetesMount}/login", new JsonObject { ["role"] = role, ["jwt"] = ReadSecretFile(o.KubernetesJwtFile, "Broker:Vault:KubernetesJwtFile") },
                    $"Kubernetes login (auth/{o.KubernetesMount}, role '{role}')", cancellationToken);
            default:
                throw new VaultException(VaultErrorKind.NotConfigured, $"Broker:Vault:AuthMethod is '{o.AuthMethod}'; use token, approle or kubernetes.");
        }
    }

    private async Task<VaultToken> LoginWithAsync(string relative, JsonObject body, string what, CancellationToken cancellationToken)
    {
        var (status, json) = await RawAsync(HttpMethod.Post, relative, body, null, what, cancellationToken);
        return status == HttpStatusCode.OK ? ParseAuth(json, what) : throw Failure(status, json, what);
    }

    private VaultToken ParseAuth(JsonNode? json, string what)
    {
        var auth = json?["auth"];
        var token = auth?["client_token"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token))
        {
            throw new VaultException(VaultErrorKind.Invalid, $"Vault's answer to the {what} has no auth.client_token.");
        }

        var ttl = TimeSpan.FromSeconds(auth!["lease_duration"]?.GetValue<long>() ?? 0);
        return new VaultToken(token, ttl > TimeSpan.Zero ? time.GetUtcNow() + ttl : null, ttl, auth["renewable"]?.GetValue<bool>() ?? false);
    }

    private static string ReadSecretFile(string path, string key)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : throw new VaultException(VaultErrorKind.NotConfigured, $"{key} ({path}) is empty.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new VaultException(VaultErrorKind.NotConfigured, $"{key} ({path}) cannot be read: {ex.Message}", ex);
        }
    }

    [LoggerMessage(7001, LogLevel.Information, "Vault: logged in ({Method}); token expires {ExpiresAt}.")]
    private static partial void LogLoggedIn(ILogger logger, string method, DateTimeOffset? expiresAt);

    [LoggerMessage(7002, LogLevel.Debug, "Vault: token renewed; now expires {ExpiresAt}.")]
    private static partial void LogRenewed(ILogger logger, DateTimeOffset? expiresAt);

    [LoggerMessage(7003, LogLevel.Warning, "Vault: token renewal failed ({Reason}); logging in again.")]
    private static partial void LogRenewFailed(ILogger logger, string reason);

    [LoggerMessage(7004, LogLevel.Information, "Vault: the token was refused for the {What}; logging in again once.")]
    private static partial void LogTokenRefused(ILogger logger, string what);
}
