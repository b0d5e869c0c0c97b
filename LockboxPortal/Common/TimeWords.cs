using System.Globalization;

namespace LockboxPortal.Common;

/// <summary>Durations and moments in words, the same on every page: "1 h 30 min", "in 3 h 12 min", "25 min ago".</summary>
public static class TimeWords
{
    /// <summary>"45 min", "2 h", "1 h 30 min", "2 d 3 h"; under a minute, "less than a minute".</summary>
    public static string Duration(TimeSpan span)
    {
        var minutes = (long)Math.Round(Math.Abs(span.TotalMinutes));
        return minutes switch
        {
            0 => "less than a minute",
            < 60 => $"{minutes} min",
            < 60 * 24 => minutes % 60 == 0 ? $"{minutes / 60} h" : $"{minutes / 60} h {minutes % 60} min",
            _ => minutes / 60 % 24 == 0 ? $"{minutes / (60 * 24)} d" : $"{minutes / (60 * 24)} d {minutes / 60 % 24} h",
        };
    }

    /// <summary>"in 3 h 12 min" or "25 min ago", relative to <paramref name="now"/>.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now) =>
        at >= now ? $"in {Duration(at - now)}" : $"{Duration(now - at)} ago";

    /// <summary>The moment in the viewer's zone, the zone named: "2 Dec 2026, 09:15 Europe/Berlin".</summary>
    public static string Moment(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + ZoneName(zone);

    public static string ZoneName(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;
}
