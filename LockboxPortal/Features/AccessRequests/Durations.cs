namespace LockboxPortal.Features.AccessRequests;

public static class Durations
{
    public static string Format(TimeSpan span) => span switch
    {
        { TotalMinutes: < 60 } => $"{span.TotalMinutes:0} min",
        { Minutes: 0 } => $"{span.TotalHours:0} h",
        _ => $"{(int)span.TotalHours} h {span.Minutes} min",
    };

    /// <summary>The durations offered when filing, up to a tenant's maximum.</summary>
    public static IEnumerable<TimeSpan> Choices(TimeSpan max) =>
        new[] { 0.25, 0.5, 1, 2, 4, 8, 12, 24 }.Select(TimeSpan.FromHours).Where(d => d <= max);
}
