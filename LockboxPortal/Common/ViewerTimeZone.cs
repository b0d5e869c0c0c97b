using Microsoft.JSInterop;

namespace LockboxPortal.Common;

/// <summary>
/// The time zone of the browser on the other end of this circuit, asked once for all the times a page shows. Until
/// the browser answers (and on static pages) times show in UTC, named as such.
/// </summary>
public sealed class ViewerTimeZone(IJSRuntime js)
{
    private Task<TimeZoneInfo>? _asking;

    public TimeZoneInfo Current => _asking is { IsCompletedSuccessfully: true } asked ? asked.Result : TimeZoneInfo.Utc;

    public Task<TimeZoneInfo> ResolveAsync() => _asking ??= AskAsync();

    private async Task<TimeZoneInfo> AskAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string?>("lockbox.timeZone");
            return id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        }
        catch (Exception ex) when (ex is JSException or InvalidOperationException or TaskCanceledException)
        {
            // No browser to ask (a dropped circuit): UTC, named as such.
            return TimeZoneInfo.Utc;
        }
    }
}
