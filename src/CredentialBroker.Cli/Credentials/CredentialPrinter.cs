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

        var table = new Table("ID", "PREFIX", "PURPOSE", "PROVIDER", "STATUS", "EXPIRES", "LAST USED");
        foreach (var c in credentials)
        {
            table.Add(c.Id, c.Prefix, c.Purpose, c.Provider, Display.Status(c.Status), Display.When(c.ExpiresAt, time), LastUsed(c, time));
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

        rows.Add(("last used", LastUsed(c, time)));
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

        if (c.ParentId.Length > 0)
        {
            rows.Add(("parent", c.ParentId));
            rows.Add(("depth", c.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (c.Budgets.Count > 0)
        {
            rows.Add(("budgets", string.Join(", ", c.Budgets.Select(Admin.GatewaySummary.Budget))));
        }

        if (c.Endpoints.Count > 0)
        {
            rows.Add(("endpoints", string.Join(", ", c.Endpoints)));
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

    /// <summary>When the credential was last used on the gateway, or "never".</summary>
    private static string LastUsed(Credential c, TimeProvider time) => c.LastUsedAt is null ? "never" : Display.When(c.LastUsedAt, time);
}
