namespace LockboxPortal.Features.AccessRequests.Components;

/// <summary>Something another person did to a row a moment ago, e.g. "approved by Avery Approver just now".</summary>
public sealed record RowActivity(string What, string Who, DateTimeOffset At)
{
    public string Describe(DateTimeOffset now) =>
        now - At < TimeSpan.FromMinutes(1) ? $"{What} by {Who} just now" : $"{What} by {Who} at {At:HH:mm} UTC";
}
