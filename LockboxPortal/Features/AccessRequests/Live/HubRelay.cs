using System.Collections.Concurrent;
using System.Threading.Channels;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Carries request events from the request notifier to hub connections, each connection only the events of
/// requests its person may see. Events queue here so a slow network never holds up the service that published
/// them; one loop sends them in order, so a client sees a request's changes in the order they happened.
/// </summary>
/// <remarks>
/// A connection's audience follows the directory: when someone's roles, memberships or approver lists change, their
/// connections re-read it from storage before any later event is sent, and every <see cref="RevalidationInterval"/>
/// each connection is checked again, so a session ended elsewhere (signed out, new password, deactivated: a new
/// security stamp) loses its connection within a minute, as its cookie and open pages do.
/// </remarks>
public sealed class HubRelay(
    RequestNotifier notifier,
    ApproverNotifier approvers,
    DirectoryNotifier directory,
    IHubContext<LockboxHub> hub,
    IDbContextFactory<LockboxDbContext> dbFactory,
    IOptions<IdentityOptions> identity,
    TimeProvider time,
    ILogger<HubRelay> logger) : BackgroundService
{
    public static readonly TimeSpan RevalidationInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Listener> _connections = new(StringComparer.Ordinal);
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Listener(HubCallerContext Context, LiveAudience Audience);

    /// <summary>What the one loop does next: send an event, or re-check the connections (of one person, or all).</summary>
    private abstract record Work;

    private sealed record Send(RequestEvent Change) : Work;

    private sealed record Revalidate(string? UserId) : Work;

    public void Register(HubCallerContext context, LiveAudience audience) => _connections[context.ConnectionId] = new Listener(context, audience);

    public void Unregister(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The connections that may hear about <paramref name="change"/>.</summary>
    public IReadOnlyList<string> AudienceOf(RequestEvent change) =>
        _connections.Where(c => c.Value.Audience.MaySee(change)).Select(c => c.Key).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var requests = notifier.Subscribe(change => Enqueue(new Send(change)));

        // Who may decide changed in a tenant: cheap to re-read every connection, and no rule about who is concerned.
        using var lists = approvers.Subscribe(_ => Enqueue(new Revalidate(null)));
        using var people = directory.Subscribe(change => Enqueue(new Revalidate(change.UserId)));
        var periodic = RevalidatePeriodicallyAsync(stoppingToken);

        await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken))
        {
            switch (work)
            {
                case Send send:
                    await SendAsync(send.Change, stoppingToken);
                    break;
                case Revalidate revalidate:
                    await RevalidateAsync(revalidate.UserId, stoppingToken);
                    break;
            }
        }

        await periodic;
    }

    private Task Enqueue(Work work)
    {
        _work.Writer.TryWrite(work);
        return Task.CompletedTask;
    }

    private async Task RevalidatePeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RevalidationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Enqueue(new Revalidate(null));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task SendAsync(RequestEvent change, CancellationToken stoppingToken)
    {
        var connections = AudienceOf(change);
        if (connections.Count == 0)
        {
            return;
        }

        try
        {
            await hub.Clients.Clients(connections).SendAsync(RequestChangedMessage.Method, RequestChangedMessage.From(change), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not relay {Kind} of {Reference} to hub clients", change.Kind, change.Reference);
        }
    }

    /// <summary>
    /// Re-reads each connection's audience from storage; a connection whose session is no longer current (inactive
    /// account, changed security stamp) is closed and hears nothing more.
    /// </summary>
    private async Task RevalidateAsync(string? userId, CancellationToken stoppingToken)
    {
        var listeners = _connections.Where(c => userId is null || string.Equals(c.Value.Audience.UserId, userId, StringComparison.Ordinal)).ToList();
        if (listeners.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
            foreach (var (connectionId, listener) in listeners)
            {
                var principal = listener.Context.User;
                if (principal is null || !await SessionValidity.IsCurrentAsync(db, principal, identity.Value.ClaimsIdentity.SecurityStampClaimType, stoppingToken))
                {
                    _connections.TryRemove(connectionId, out _);
                    listener.Context.Abort();
                    logger.LogInformation("Closed a hub connection whose session ended");
                    continue;
                }

                _connections.TryUpdate(connectionId, listener with { Audience = await LiveAudience.LoadAsync(db, principal, stoppingToken) }, listener);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not re-check hub connections");
        }
    }
}
