namespace CredentialBroker.Server.Revocation;

/// <summary>SQL functions from migrations/ that EF Core queries may call.</summary>
public static class WatermarkFunctions
{
    /// <summary>
    /// <c>credential_watermark(...)</c>: id of the earliest mass revocation covering a credential
    /// with these columns, or null. Only translatable to SQL.
    /// </summary>
    public static Guid? CredentialWatermark(Guid ownerId, Guid purposeId, string providerName, Guid workloadId, DateTimeOffset issuedAt, string labels) =>
        throw new NotSupportedException("credential_watermark runs only inside a database query.");
}
