using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Credentials;

/// <summary>Prints credentials as a table, a detail view or JSON.</summary>
public static class CredentialPrinter
{
    /// <summary>Prints a list of credentials.</summary>
    public static void WriteList(TextWriter writer, IReadOnlyList<Credential> credentials, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.WriteArray(writer, credentials);
            return;
        }

        var table = new Table("ID", "PREFIX", "PURPOSE", "PROVIDER", "STATUS", "EXPIRES");
        foreach (var c in credentials)
        {
            table.Add(c.Id, c.Prefix, c.Purpose, c.Provider, Display.Status(c.Status), Display.When(c.ExpiresAt, time));
        }

        table.Write(writer);
    }

    /// <summary>Prints one credential.</summary>
    public static void WriteOne(TextWriter writer, Credential c, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(writer, c);
            return;
        }

        var rows = new List<(string, string)>
        {
            ("id", c.Id),
            ("prefix", c.Prefix),
            ("purpose", $"{c.Purpose} ({c.PurposeId})"),
            ("provider", c.Provider),
            ("owner", c.OwnerId),
            ("workload", c.WorkloadId),
            ("status", Display.Status(c.Status)),
            ("issued", Display.When(c.IssuedAt, time)),
            ("expires", Display.When(c.ExpiresAt, time)),
            ("max expires", Display.When(c.MaxExpiresAt, time)),
        };
        if (c.RenewedAt is not null)
        {
            rows.Add(("renewed", Display.When(c.RenewedAt, time)));
        }

        if (c.Delivery == "direct")
        {
            rows.Add(("delivery", $"direct (upstream key {c.UpstreamState})"));
        }

        if (c.Models.Count > 0)
        {
            rows.Add(("models", string.Join(", ", c.Models)));
        }

        if (c.Labels.Count > 0)
        {
            rows.Add(("labels", string.Join(", ", c.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))));
        }

        if (c.RevokedAt is not null)
        {
            rows.Add(("revoked", Display.When(c.RevokedAt, time)));
            rows.Add(("reason", c.RevocationReason));
        }

        if (!string.IsNullOrEmpty(c.RevocationId))
        {
            rows.Add(("revocation", c.RevocationId));
        }

        var width = rows.Max(r => r.Item1.Length) + 1;
        foreach (var (key, value) in rows)
        {
            writer.WriteLine((key + ":").PadRight(width + 1) + value);
        }
    }
}
