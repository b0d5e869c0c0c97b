using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Carries request events from the request notifier to hub connections, each connection only the events of
/// requests its person may see. Events queue here so a slow network never holds up the service that published
/// them; one loop sends them in order, so a client sees a request's changes in the order they happened.
/// </summary>
public sealed class HubRelay(RequestNotifier notifier, IHubContext<LockboxHub> hub, ILogger<HubRelay> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, LiveAudience> _connections = new(StringComparer.Ordinal);
    private readonly Channel<RequestEvent> _events = Channel.CreateUnbounded<RequestEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void Register(string connectionId, LiveAudience audience) => _connections[connectionId] = audience;

    public void Unregister(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The connections that may hear about <paramref name="change"/>.</summary>
    public IReadOnlyList<string> AudienceOf(RequestEvent change) =>
        _connections.Where(c => c.Value.MaySee(change)).Select(c => c.Key).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(change =>
        {
            _events.Writer.TryWrite(change);
            return Task.CompletedTask;
        });

        await foreach (var change in _events.Reader.ReadAllAsync(stoppingToken))
        {
            var connections = AudienceOf(change);
            if (connections.Count == 0)
            {
                continue;
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
    }
}
