using System.Security.Cryptography;
using System.Text;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Turns a request into a <see cref="Caller"/>: a bearer token (broker access token, bootstrap
/// admin token or JWT from a trusted issuer), else a client certificate from the trusted CA.
/// </summary>
internal sealed class CallerAuthenticator(
    BrokerDbContext db,
    IOptions<BrokerOptions> options,
    JwtValidator jwt,
    ClientCertificateValidator certificates,
    TimeProvider time)
{
    public async Task<AuthenticationResult> AuthenticateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 16_384)
            {
                return AuthenticationResult.Unauthenticated("The authorization header must be 'Bearer <token>'.");
            }

            var token = header["Bearer ".Length..].Trim();
            if (IsBootstrapToken(token))
            {
                return AuthenticationResult.Success(new Caller(BrokerRole.Admin, "bootstrap-admin"));
            }

            if (token.StartsWith(SecretKey.AccessTokenKind + "_", StringComparison.Ordinal))
            {
                return await AuthenticateAccessTokenAsync(token, cancellationToken);
            }

            if (token.StartsWith(SecretKey.CredentialKind + "_", StringComparison.Ordinal))
            {
                return AuthenticationResult.Unauthenticated("A credential key (cbk_...) is for the gateway, not for the broker API; authenticate with an access token, a JWT or a client certificate.");
            }

            if (token.Count(c => c == '.') == 2)
            {
                return await AuthenticateWorkloadAsync(await jwt.ValidateAsync(token, cancellationToken), "JWT subject", cancellationToken);
            }

            return AuthenticationResult.Unauthenticated("The bearer token is not a broker access token (cbt_...) or a JWT.");
        }

        var certificate = await http.Connection.GetClientCertificateAsync(cancellationToken);
        if (certificate is not null)
        {
            return await AuthenticateWorkloadAsync(certificates.Validate(certificate), "client certificate identity", cancellationToken);
        }

        return AuthenticationResult.Unauthenticated("No credentials: send 'authorization: Bearer <token>' metadata or a client certificate.");
    }

    private bool IsBootstrapToken(string token)
    {
        var bootstrap = options.Value.BootstrapAdminToken;
        return !string.IsNullOrEmpty(bootstrap) &&
            CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(bootstrap)));
    }

    private async Task<AuthenticationResult> AuthenticateAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!SecretKey.IsWellFormed(token, SecretKey.AccessTokenKind))
        {
            return AuthenticationResult.Unauthenticated("The access token is malformed (bad length or checksum); copy it again from where it was issued.");
        }

        var hash = SecretKey.Hash(token);
        var row = await (
            from t in db.AccessTokens.AsNoTracking()
            where t.TokenHash == hash
            join w in db.Workloads on t.WorkloadId equals w.Id into workloads
            from w in workloads.DefaultIfEmpty()
            join o in db.Owners on (t.OwnerId ?? w.OwnerId) equals o.Id into owners
            from o in owners.DefaultIfEmpty()
            select new { Token = t, WorkloadIdentity = w == null ? null : w.Identity, WorkloadOwner = w == null ? (Guid?)null : w.OwnerId, OwnerActive = o == null ? (bool?)null : o.Active })
            .FirstOrDefaultAsync(cancellationToken);

        if (row is null || !CryptographicOperations.FixedTimeEquals(row.Token.TokenHash, hash))
        {
            return AuthenticationResult.Unauthenticated("The access token is not known to this broker.");
        }

        if (row.Token.RevokedAt is not null)
        {
            return AuthenticationResult.Unauthenticated("The access token has been revoked.");
        }

        if (row.Token.ExpiresAt <= time.GetUtcNow())
        {
            return AuthenticationResult.Unauthenticated($"The access token expired at {row.Token.ExpiresAt:u}; ask an admin for a new one.");
        }

        if (row.OwnerActive == false && row.Token.Role is BrokerRole.Owner or BrokerRole.Workload)
        {
            return AuthenticationResult.Unauthenticated("The owner this access token acts for has been deactivated.");
        }

        var found = row.Token;
        return AuthenticationResult.Success(found.Role switch
        {
            BrokerRole.Workload => new Caller(BrokerRole.Workload, "workload:" + row.WorkloadIdentity, row.WorkloadOwner, found.WorkloadId),
            BrokerRole.Owner => new Caller(BrokerRole.Owner, "owner:" + found.OwnerId, found.OwnerId),
            _ => new Caller(found.Role, BrokerRoles.ToDb(found.Role) + ":token:" + found.Id, found.OwnerId),
        });
    }

    private async Task<AuthenticationResult> AuthenticateWorkloadAsync(IdentityResult identity, string what, CancellationToken cancellationToken)
    {
        if (identity.Identity is null)
        {
            return identity.Retryable ? AuthenticationResult.Unavailable(identity.Error!) : AuthenticationResult.Unauthenticated(identity.Error!);
        }

        var workload = await db.Workloads.AsNoTracking()
            .Where(w => w.Identity == identity.Identity)
            .Join(db.Owners, w => w.OwnerId, o => o.Id, (w, o) => new { w.Id, w.OwnerId, o.Active })
            .FirstOrDefaultAsync(cancellationToken);
        if (workload is null)
        {
            return AuthenticationResult.Forbidden($"The {what} '{identity.Identity}' is not a registered workload; an admin must register it with RegisterWorkload.");
        }

        if (!workload.Active)
        {
            return AuthenticationResult.Forbidden($"The owner of workload '{identity.Identity}' has been deactivated.");
        }

        return AuthenticationResult.Success(new Caller(BrokerRole.Workload, "workload:" + identity.Identity, workload.OwnerId, workload.Id));
    }
}
