using System.Security.Cryptography;
using System.Text;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Turns a request into a <see cref="Caller"/>: a bearer token (broker access token, bootstrap
/// admin token or JWT from a trusted issuer), else a client certificate from the trusted CA.
/// </summary>
internal sealed class CallerAuthenticator(
    NpgsqlDataSource dataSource,
    IOptions<BrokerOptions> options,
    JwtValidator jwt,
    ClientCertificateValidator certificates,
    CallerCache cache,
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
        if (cache.TryGet(hash, out var known))
        {
            return AuthenticationResult.Success(known);
        }

        var generation = cache.Generation;
        // Plain SQL, prepared once per connection: this runs on every authenticated call.
        await using var command = dataSource.CreateCommand(
            """
            SELECT t.token_hash, t.id, t.role, t.owner_id, t.workload_id, t.revoked_at, t.expires_at, w.identity, w.owner_id, o.active
            FROM access_tokens t
            LEFT JOIN workloads w ON w.id = t.workload_id
            LEFT JOIN owners o ON o.id = coalesce(t.owner_id, w.owner_id)
            WHERE t.token_hash = $1
            """);
        command.Parameters.Add(new() { Value = hash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || !CryptographicOperations.FixedTimeEquals(reader.GetFieldValue<byte[]>(0), hash))
        {
            return AuthenticationResult.Unauthenticated("The access token is not known to this broker.");
        }

        var id = reader.GetGuid(1);
        var role = BrokerRoles.FromDb(reader.GetString(2));
        var ownerId = reader.IsDBNull(3) ? (Guid?)null : reader.GetGuid(3);
        var workloadId = reader.IsDBNull(4) ? (Guid?)null : reader.GetGuid(4);
        var expiresAt = reader.GetFieldValue<DateTimeOffset>(6);
        if (!reader.IsDBNull(5))
        {
            return AuthenticationResult.Unauthenticated("The access token has been revoked.");
        }

        if (expiresAt <= time.GetUtcNow())
        {
            return AuthenticationResult.Unauthenticated($"The access token expired at {expiresAt:u}; ask an admin for a new one.");
        }

        var ownerActive = reader.IsDBNull(9) || reader.GetBoolean(9);
        if (!ownerActive && role is BrokerRole.Owner or BrokerRole.Workload)
        {
            return AuthenticationResult.Unauthenticated("The owner this access token acts for has been deactivated.");
        }

        var caller = role switch
        {
            BrokerRole.Workload => new Caller(BrokerRole.Workload, "workload:" + (reader.IsDBNull(7) ? null : reader.GetString(7)), reader.IsDBNull(8) ? null : reader.GetGuid(8), workloadId),
            BrokerRole.Owner => new Caller(BrokerRole.Owner, "owner:" + ownerId, ownerId),
            _ => new Caller(role, BrokerRoles.ToDb(role) + ":token:" + id, ownerId),
        };
        cache.Remember(hash, caller, expiresAt, generation);
        return AuthenticationResult.Success(caller);
    }

    private async Task<AuthenticationResult> AuthenticateWorkloadAsync(IdentityResult identity, string what, CancellationToken cancellationToken)
    {
        if (identity.Identity is null)
        {
            return identity.Retryable ? AuthenticationResult.Unavailable(identity.Error!) : AuthenticationResult.Unauthenticated(identity.Error!);
        }

        await using var command = dataSource.CreateCommand(
            "SELECT w.id, w.owner_id, o.active FROM workloads w JOIN owners o ON o.id = w.owner_id WHERE w.identity = $1");
        command.Parameters.Add(new() { Value = identity.Identity });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var workload = await reader.ReadAsync(cancellationToken)
            ? new { Id = reader.GetGuid(0), OwnerId = reader.GetGuid(1), Active = reader.GetBoolean(2) }
            : null;
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
