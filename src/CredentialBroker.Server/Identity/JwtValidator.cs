using System.Collections.Concurrent;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Validates workload JWTs (Kubernetes service-account tokens, SPIFFE JWT-SVIDs, OIDC tokens)
/// against the configured issuers: signature from the issuer's JWKS, issuer, audience, lifetime.
/// </summary>
internal sealed class JwtValidator(IOptions<BrokerOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILogger<JwtValidator> logger)
{
    private static readonly TimeSpan _urlCacheLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan _minRefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan _clockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, CachedKeys> _keys = new();

    public async Task<IdentityResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (!TryRead(token, out var unverified))
        {
            return IdentityResult.Failed("The bearer token is not a well-formed JWT.");
        }

        var issuer = options.Value.JwtIssuers.FirstOrDefault(i => i.Issuer == unverified.Issuer);
        if (issuer is null)
        {
            return IdentityResult.Failed("The JWT's issuer is not trusted by this broker (Broker:JwtIssuers).");
        }

        var keys = await GetKeysAsync(issuer, forceRefresh: false, cancellationToken);
        if (keys is not null && unverified.Kid is { Length: > 0 } kid && keys.All(k => k.KeyId != kid))
        {
            // The issuer may have rotated to a key not loaded yet; a file can change without its timestamp changing.
            keys = await GetKeysAsync(issuer, forceRefresh: true, cancellationToken);
        }

        if (keys is null)
        {
            return IdentityResult.Unavailable($"The signing keys of JWT issuer '{issuer.Issuer}' could not be loaded; try again later.");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = keys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = _clockSkew,
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value - parameters.ClockSkew <= now) && expires is not null && expires.Value + parameters.ClockSkew > now;
            },
        });

        if (!result.IsValid)
        {
            return IdentityResult.Failed(result.Exception switch
            {
                SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => LifetimeProblem(unverified),
                SecurityTokenInvalidAudienceException => $"The JWT's audience is not '{issuer.Audience}'.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The JWT's signature does not verify against the issuer's keys.",
                _ => "The JWT is not valid.",
            });
        }

        return result.Claims.TryGetValue(issuer.SubjectClaim, out var subject) && subject is string s && s.Length > 0
            ? IdentityResult.Verified(s)
            : IdentityResult.Failed($"The JWT has no '{issuer.SubjectClaim}' claim naming the workload.");
    }

    private bool TryRead(string token, out JsonWebToken jwt)
    {
        jwt = null!;
        if (!_handler.CanReadToken(token))
        {
            return false;
        }

        try
        {
            // CanReadToken only counts the segments; decoding is where bad base64url or JSON shows.
            jwt = _handler.ReadJsonWebToken(token);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private string LifetimeProblem(JsonWebToken jwt)
    {
        if (jwt.ValidTo == DateTime.MinValue)
        {
            return "The JWT has no expiry ('exp' claim); only tokens that expire are accepted.";
        }

        return jwt.ValidTo + _clockSkew <= time.GetUtcNow().UtcDateTime
            ? $"The JWT expired at {jwt.ValidTo:u}."
            : $"The JWT is not yet valid; it is valid from {jwt.ValidFrom:u}.";
    }

    /// <summary>The issuer's signing keys; null when they could not be loaded.</summary>
    private async Task<IList<SecurityKey>?> GetKeysAsync(JwtIssuerOptions issuer, bool forceRefresh, CancellationToken cancellationToken)
    {
        _keys.TryGetValue(issuer.Issuer, out var cached);
        var now = time.GetUtcNow();
        if (issuer.JwksFile is { } file)
        {
            var stamp = File.GetLastWriteTimeUtc(file);
            if (cached is not null && cached.Stamp == stamp && !forceRefresh)
            {
                return cached.Keys;
            }

            // A file that cannot be read fails closed: removing or emptying it must stop its keys working.
            return await LoadAsync(issuer, file, stamp, lastGood: null, () => File.ReadAllTextAsync(file, cancellationToken), cancellationToken);
        }

        if (issuer.JwksUrl is { } url)
        {
            var stale = forceRefresh || now - cached?.FetchedAt >= _urlCacheLifetime;
            if (cached is not null && !(stale && now - cached.AttemptedAt > _minRefreshInterval))
            {
                return cached.Keys;
            }

            // An unreachable URL keeps the last keys that loaded, as OIDC clients do, so an outage of the
            // issuer's endpoint does not lock out every workload.
            return await LoadAsync(issuer, url, default, cached, () => httpClients.CreateClient("jwks").GetStringAsync(new Uri(url), cancellationToken), cancellationToken);
        }

        return [];
    }

    private async Task<IList<SecurityKey>?> LoadAsync(
        JwtIssuerOptions issuer, string source, DateTime stamp, CachedKeys? lastGood, Func<Task<string>> read, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var keys = new JsonWebKeySet(await read()).GetSigningKeys();
            _keys[issuer.Issuer] = new CachedKeys(keys, stamp, now, now);
            return keys;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            IdentityLog.JwksLoadFailed(logger, ex, issuer.Issuer, source);
            if (lastGood is null)
            {
                _keys.TryRemove(issuer.Issuer, out _);
                return null;
            }

            _keys[issuer.Issuer] = lastGood with { AttemptedAt = now };
            return lastGood.Keys;
        }
    }

    private sealed record CachedKeys(IList<SecurityKey> Keys, DateTime Stamp, DateTimeOffset FetchedAt, DateTimeOffset AttemptedAt);
}
