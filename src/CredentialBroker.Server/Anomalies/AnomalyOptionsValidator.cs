using System.ComponentModel.DataAnnotations;

namespace CredentialBroker.Server.Anomalies;

/// <summary>Start-up checks of <c>Broker:Anomalies</c> (called by the broker's options validator).</summary>
internal static class AnomalyOptionsValidator
{
    public static IEnumerable<string> Validate(AnomalyOptions options)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new(options), results, validateAllProperties: true))
        {
            foreach (var r in results)
            {
                yield return $"Broker:Anomalies:{string.Join(',', r.MemberNames)}: {r.ErrorMessage}";
            }
        }

        if (options.Interval < TimeSpan.FromSeconds(1) || options.Window < TimeSpan.FromMinutes(1) || options.LoopWindow < TimeSpan.FromMinutes(1))
        {
            yield return "Broker:Anomalies: Interval must be at least 1 second, Window and LoopWindow at least 1 minute.";
        }

        if (options.BaselineWindow < options.Window + TimeSpan.FromMinutes(10))
        {
            yield return "Broker:Anomalies:BaselineWindow must be at least Window plus 10 minutes (the baseline needs history before the window).";
        }

        var negative = new[] { options.RequestsPerMinuteFloor, options.TokensPerMinuteFloor, options.CostPerHourFloorMicroUsd }
            .Concat(new[] { options.Sandbox, options.Internal, options.CustomerFacing }
                .SelectMany(t => new[] { t.RequestsPerMinuteCeiling, t.TokensPerMinuteCeiling, t.CostPerHourCeilingMicroUsd }))
            .Any(v => v < 0);
        if (negative || options.ErrorRateFloor is < 0 or > 1)
        {
            yield return "Broker:Anomalies: floors and ceilings must not be negative (0 = none) and ErrorRateFloor must be between 0 and 1.";
        }
    }
}
