using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Api;

/// <summary>
/// <c>GET /api/v1/grant-events</c>: server-sent events for service clients, one per grant opened, ended, revoked or
/// released, so a data plane can close the sessions a grant no longer covers instead of only refusing the next check.
/// Each event's id is its audit entry's; a client that reconnects with <c>Last-Event-ID</c> receives what it missed.
/// </summary>
public static class GrantEventsApi
{
    /// <summary>A comment line this often keeps proxies from closing a quiet stream.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapGrantEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/grant-events", StreamAsync)
            .WithTags("Access checks")
            .WithName("StreamGrantEvents")
            .WithSummary("Server-sent events for every grant opened, ended, revoked or released (service client tokens only); resume with Last-Event-ID.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .RequireAuthorization(ApiTokenDefaults.ServiceClientPolicy);
        return api;
    }

    private static async Task StreamAsync(HttpContext context, GrantEventStream events, TimeProvider time, IOptions<JsonOptions> json)
    {
        var ct = context.RequestAborted;
        var resumeAfter = LastEventId(context.Request.Headers["Last-Event-ID"].ToString());
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watch = events.Watch(() => wake.Writer.TryWrite(true));
        var cursor = resumeAfter ?? await events.NewestIdAsync(ct);

        // Sent ids of the last moments, so reading them again delivers only a late commit among them. A resumed stream
        // starts with none, so it also receives again the moments just before its Last-Event-ID: at least once.
        var sent = new Dictionary<long, DateTimeOffset>();
        var settleFrom = resumeAfter is { } resumed ? await events.WrittenAtAsync(resumed, ct) - GrantEventStream.Settle : null;

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var body = context.Response.Body;
        await WriteAsync(body, "retry: 2000\n\n", ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = await events.ReadAfterAsync(cursor, settleFrom, sent.Keys.ToHashSet(), ct);
                foreach (var item in batch)
                {
                    await WriteAsync(body, $"id: {item.Id.ToString(CultureInfo.InvariantCulture)}\nevent: {item.Type}\ndata: {JsonSerializer.Serialize(item, json.Value.SerializerOptions)}\n\n", ct);
                    cursor = Math.Max(cursor, item.Id);
                    sent[item.Id] = item.At;
                }

                if (sent.Count > 0)
                {
                    settleFrom = sent.Values.Max() - GrantEventStream.Settle;
                    foreach (var old in sent.Where(s => s.Value < settleFrom).Select(s => s.Key).ToList())
                    {
                        sent.Remove(old);
                    }
                }

                if (batch.Count == GrantEventStream.PageSize)
                {
                    continue;
                }

                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var woken = wake.Reader.WaitToReadAsync(quiet.Token).AsTask();
                var keepAlive = Task.Delay(KeepAlive, time, quiet.Token);
                var first = await Task.WhenAny(woken, keepAlive);
                await quiet.CancelAsync();
                if (first == woken)
                {
                    wake.Reader.TryRead(out _);
                }
                else if (!ct.IsCancellationRequested)
                {
                    await WriteAsync(body, ": keep-alive\n\n", ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static long? LastEventId(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        return long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw InvalidInputException.For("Last-Event-ID", "Resume with the id of the last event received (a whole number), or leave it out to start from now.");
    }

    private static async Task WriteAsync(Stream body, string text, CancellationToken ct)
    {
        await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
        await body.FlushAsync(ct);
    }
}
