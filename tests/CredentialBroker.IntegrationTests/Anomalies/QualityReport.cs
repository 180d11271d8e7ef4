using System.Globalization;
using System.Text;
using CredentialBroker.Server.Anomalies;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>
/// Precision and recall per detector. Precision of kind K: findings of K that an incident explains
/// (an incident of K, or one whose other accepted kinds include K) / all findings of K. Recall of K:
/// incidents of K found by a finding of K / incidents of K.
/// </summary>
public sealed class QualityReport
{
    private readonly IReadOnlyList<Incident> _incidents;
    private readonly IReadOnlyList<Finding> _findings;

    private QualityReport(IReadOnlyList<Incident> incidents, IReadOnlyList<Finding> findings)
    {
        _incidents = incidents;
        _findings = findings;
    }

    public static QualityReport Build(IReadOnlyList<Incident> incidents, IReadOnlyList<Finding> findings) => new(incidents, findings);

    public double Precision(AnomalyKind kind)
    {
        var of = _findings.Where(f => f.Kind == kind).ToList();
        return of.Count == 0 ? 1 : (double)of.Count(f => _incidents.Any(i => i.Explains(f.CredentialId, f.Kind, f.DetectedAt))) / of.Count;
    }

    public double Recall(AnomalyKind kind)
    {
        var of = _incidents.Where(i => i.Kind == kind).ToList();
        return of.Count == 0 ? 1 : (double)of.Count(i => Detection(i) is not null) / of.Count;
    }

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| detector | incidents | found | findings | true | false | precision | recall | median time to detect |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var kind in Enum.GetValues<AnomalyKind>())
        {
            var incidents = _incidents.Where(i => i.Kind == kind).ToList();
            var found = incidents.Select(Detection).Where(d => d is not null).Select(d => d!.Value).ToList();
            var findings = _findings.Where(f => f.Kind == kind).ToList();
            var right = findings.Count(f => _incidents.Any(i => i.Explains(f.CredentialId, f.Kind, f.DetectedAt)));
            var median = found.Count == 0 ? "-" : $"{found.Order().ElementAt(found.Count / 2).TotalMinutes:0} min";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {AnomalyNames.Of(kind)} | {incidents.Count} | {found.Count} | {findings.Count} | {right} | {findings.Count - right} | {Precision(kind):0.00} | {(incidents.Count == 0 ? "-" : Recall(kind).ToString("0.00", CultureInfo.InvariantCulture))} | {median} |");
        }

        return text.ToString();
    }

    /// <summary>How long after the incident started its own kind of finding was recorded; null if it was not.</summary>
    private TimeSpan? Detection(Incident incident) =>
        _findings.Where(f => f.Kind == incident.Kind && incident.Explains(f.CredentialId, f.Kind, f.DetectedAt)).Select(f => (TimeSpan?)(f.DetectedAt - incident.Start)).FirstOrDefault();

    /// <summary>One recorded anomaly.</summary>
    public sealed record Finding(Guid CredentialId, AnomalyKind Kind, AnomalyAction Action, DateTimeOffset DetectedAt);
}
