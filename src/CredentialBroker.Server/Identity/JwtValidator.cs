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
internal sealed class JwtValidator(IOptions<BrokerOptions> options, IHttpClientFactory httpClients, TimeProvider time)
{
    private static readonly TimeSpan _urlCacheLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan _minRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, CachedKeys> _keys = new();

    public async Task<IdentityResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (!_handler.CanReadToken(token))
        {
            return IdentityResult.Failed("The bearer token is not a well-formed JWT.");
        }

        var unverified = _handler.ReadJsonWebToken(token);
        var issuer = options.Value.JwtIssuers.FirstOrDefault(i => i.Issuer == unverified.Issuer);
        if (issuer is null)
        {
            return IdentityResult.Failed("The JWT's issuer is not trusted by this broker (Broker:JwtIssuers).");
        }

        var keys = await GetKeysAsync(issuer, forceRefresh: false, cancellationToken);
        if (unverified.Kid is { Length: > 0 } kid && keys.All(k => k.KeyId != kid) && issuer.JwksUrl is not null)
        {
            keys = await GetKeysAsync(issuer, forceRefresh: true, cancellationToken);
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = keys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
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
                SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "The JWT has expired or is not yet valid.",
                SecurityTokenInvalidAudienceException => $"The JWT's audience is not '{issuer.Audience}'.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The JWT's signature does not verify against the issuer's keys.",
                _ => "The JWT is not valid.",
            });
        }

        return result.Claims.TryGetValue(issuer.SubjectClaim, out var subject) && subject is string s && s.Length > 0
            ? IdentityResult.Verified(s)
            : IdentityResult.Failed($"The JWT has no '{issuer.SubjectClaim}' claim naming the workload.");
    }

    private async Task<IList<SecurityKey>> GetKeysAsync(JwtIssuerOptions issuer, bool forceRefresh, CancellationToken cancellationToken)
    {
        var cacheKey = issuer.Issuer;
        _keys.TryGetValue(cacheKey, out var cached);
        var now = time.GetUtcNow();
        if (issuer.JwksFile is { } file)
        {
            var stamp = File.GetLastWriteTimeUtc(file);
            if (cached is not null && cached.Stamp == stamp)
            {
                return cached.Keys;
            }

            var keys = new JsonWebKeySet(await File.ReadAllTextAsync(file, cancellationToken)).GetSigningKeys();
            _keys[cacheKey] = new CachedKeys(keys, stamp, now);
            return keys;
        }

        if (issuer.JwksUrl is { } url)
        {
            var fresh = cached is not null && (now - cached.FetchedAt < _urlCacheLifetime) && !(forceRefresh && now - cached.FetchedAt > _minRefreshInterval);
            if (fresh)
            {
                return cached!.Keys;
            }

            var json = await httpClients.CreateClient("jwks").GetStringAsync(new Uri(url), cancellationToken);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys[cacheKey] = new CachedKeys(keys, default, now);
            return keys;
        }

        return [];
    }

    private sealed record CachedKeys(IList<SecurityKey> Keys, DateTime Stamp, DateTimeOffset FetchedAt);
}
