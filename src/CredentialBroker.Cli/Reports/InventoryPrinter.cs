using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Reports;

/// <summary>Prints an inventory as a table, CSV (one row per group, then a total row) or JSON.</summary>
public static class InventoryPrinter
{
    public static void Write(TextWriter writer, GetInventoryResponse response, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(writer, response);
            return;
        }

        var keys = response.GroupBy.SelectMany(Columns).ToList();
        var headers = keys.Select(k => k.Header).Concat(["LIVE", "TTL P50", "TTL P90", "TTL MAX", "LIFETIME MAX", "LAST USED", "NEVER USED", "REQUESTS", "SPEND USD"]).ToArray();
        var rows = response.Groups.Select(g => Row(g, keys.Select(k => k.Value(g)), format, time))
            .Append(Row(response.Total ?? new InventoryGroup(), keys.Select((_, i) => i == 0 ? "TOTAL" : string.Empty), format, time));
        if (format == OutputFormat.Csv)
        {
            var csv = new Csv(headers.Select(h => h.ToLowerInvariant().Replace(' ', '_')).ToArray());
            foreach (var row in rows)
            {
                csv.Add(row);
            }

            csv.Write(writer);
            return;
        }

        writer.WriteLine($"Live credentials on {Display.Absolute(response.GeneratedAt)}; requests and spend over the last {Display.Span(response.SpendWindow)}");
        writer.WriteLine();
        var table = new Table(headers);
        foreach (var row in rows)
        {
            table.Add(row);
        }

        table.Write(writer);
        if (response.ShadowKeys > 0 || response.IrrevocableKeys > 0)
        {
            writer.WriteLine();
            writer.WriteLine($"Not in the table: {response.ShadowKeys} shadow key(s) upstream that no credential accounts for, {response.IrrevocableKeys} irrevocable key(s) " +
                "(brokerctl providers shadow-keys, brokerctl creds list --irrevocable).");
        }
    }

    private static string?[] Row(InventoryGroup g, IEnumerable<string> keys, OutputFormat format, TimeProvider time)
    {
        var csv = format == OutputFormat.Csv;
        string Span(Google.Protobuf.WellKnownTypes.Duration? d) => d is null ? string.Empty : csv ? ((long)d.ToTimeSpan().TotalSeconds).ToString(CultureInfo.InvariantCulture) : Display.Span(d);
        return
        [
            .. keys,
            g.LiveCredentials.ToString(CultureInfo.InvariantCulture),
            Span(g.TtlP50), Span(g.TtlP90), Span(g.TtlMax), Span(g.LifetimeMax),
            g.LastUsedAt is null ? (csv ? string.Empty : "never") : csv ? g.LastUsedAt.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture) : Display.When(g.LastUsedAt, time),
            g.NeverUsed.ToString(CultureInfo.InvariantCulture),
            g.Requests.ToString(CultureInfo.InvariantCulture),
            (g.SpendMicroUsd / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture),
        ];
    }

    private static IEnumerable<(string Header, Func<InventoryGroup, string> Value)> Columns(string dimension) => dimension switch
    {
        "owner" => [("OWNER", g => g.OwnerName), ("OWNER ID", g => g.OwnerId)],
        "purpose" => [("PURPOSE", g => g.PurposeName), ("PURPOSE ID", g => g.PurposeId)],
        "provider" => [("PROVIDER", g => g.Provider)],
        "risk_tier" => [("RISK TIER", g => g.RiskTier)],
        _ => [],
    };
}
