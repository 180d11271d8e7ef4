using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Anomalies;

/// <summary>Prints anomalies as a table or JSON.</summary>
public static class AnomalyPrinter
{
    public static void WriteList(TextWriter writer, IReadOnlyList<Anomaly> anomalies, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.WriteArray(writer, anomalies);
            return;
        }

        var table = new Table("ID", "CREDENTIAL", "KIND", "SCORE", "ACTION", "STATUS", "DETECTED", "EVIDENCE");
        foreach (var a in anomalies)
        {
            table.Add(a.Id, a.CredentialId, AnomalyNames.Kind(a.Kind), a.Score.ToString("0.##", CultureInfo.InvariantCulture), AnomalyNames.Action(a.Action),
                AnomalyNames.Status(a.Status), Display.When(a.DetectedAt, time), Evidence(a));
        }

        table.Write(writer);
    }

    /// <summary>The evidence as key=value pairs, clipped for a table cell.</summary>
    public static string Evidence(Anomaly a)
    {
        var text = string.Join(' ', a.Evidence.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
