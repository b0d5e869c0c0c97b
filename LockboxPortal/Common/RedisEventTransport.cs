using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using StackExchange.Redis;

namespace LockboxPortal.Common;

/// <summary>The next number of the database's event sequence, or null where the database serves one node.</summary>
public delegate Task<long?> NextEventNumber(CancellationToken cancellationToken);

/// <summary>
/// Events for every node: each is delivered to this node's subscribers at once (through
/// <see cref="InProcessEventTransport"/>, so its subscriber rule holds) and published on one Redis channel as JSON,
/// stamped with the next number of the database's event sequence; the other nodes hand it to their subscribers.
/// Redis is an accelerator, the database the truth: a node that sees a number jump, or whose Redis connection comes
/// back after a loss, may have missed events and tells <see cref="OnMissedEvents"/> listeners to re-read from
/// storage. A publish while Redis is down is logged, never fails the publisher, and reaches this node's subscribers.
/// </summary>
/// <remarks>
/// Numbers are taken at publish time, after the operation committed, so a rolled-back operation takes none. A node's
/// messages are handled one at a time in the order Redis delivers them. Two nodes publishing at once may arrive out
/// of order, which reads as a gap and costs one needless re-read, never a missed one.
/// Only the event types this node subscribes to are read from the channel; anything else on it is ignored.
/// </remarks>
public sealed class RedisEventTransport : IEventTransport, IDisposable
{
    public const string Channel = "lockbox:events";

    private readonly IConnectionMultiplexer _redis;
    private readonly NextEventNumber _nextNumber;
    private readonly InProcessEventTransport _local;
    private readonly ILogger<RedisEventTransport> _logger;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Func<string, Task>> _types = new(StringComparer.Ordinal);
    private readonly object _numbersLock = new();
    private ImmutableArray<Func<Task>> _missedListeners = [];
    private long? _lastNumber;
    private bool _subscribed;

    private readonly TimeProvider _time;

    private readonly RedisChannel _channel;
    private readonly ISubscriber _subscriber;

    /// <param name="channel">The channel the nodes of one deployment share (<see cref="Channel"/>).</param>
    public RedisEventTransport(IConnectionMultiplexer redis, NextEventNumber nextNumber, TimeProvider time, ILoggerFactory loggers, string channel = Channel)
    {
        _time = time;
        _channel = RedisChannel.Literal(channel);
        _redis = redis;
        _subscriber = redis.GetSubscriber();
        _nextNumber = nextNumber;
        _local = new InProcessEventTransport(loggers.CreateLogger<InProcessEventTransport>());
        _logger = loggers.CreateLogger<RedisEventTransport>();
        _redis.ConnectionRestored += OnConnectionRestored;
        TrySubscribe();
    }

    /// <summary>Listens on the channel once; while Redis is down this waits for the connection to come back.</summary>
    private void TrySubscribe()
    {
        lock (_numbersLock)
        {
            if (_subscribed)
            {
                return;
            }

            try
            {
                // A queue hands this node the messages one at a time, in the order Redis delivered them, so one
                // node's events reach the pages in the order they happened (the callback overload runs them at once).
                _redis.GetSubscriber().Subscribe(_channel).OnMessage(message => ReceiveAsync(message.Message));
                _subscribed = true;
            }
            catch (RedisException ex)
            {
                _logger.LogWarning(ex, "Redis is not reachable; this node hears other nodes' events once it is");
            }
        }
    }

    public IDisposable Subscribe<TEvent>(Func<TEvent, Task> handler)
    {
        _types.TryAdd(TypeName<TEvent>(), json => JsonSerializer.Deserialize<TEvent>(json, JsonSerializerOptions.Web) is { } change
            ? _local.PublishAsync(change)
            : Task.CompletedTask);
        return _local.Subscribe(handler);
    }

    public async Task PublishAsync<TEvent>(TEvent change)
    {
        await _local.PublishAsync(change);
        try
        {
            var number = await _nextNumber(CancellationToken.None);
            Seen(number);
            var envelope = new Envelope(_node, number, _time.GetUtcNow(), TypeName<TEvent>(), JsonSerializer.Serialize(change, JsonSerializerOptions.Web));
            await _redis.GetSubscriber().PublishAsync(_channel, JsonSerializer.Serialize(envelope, JsonSerializerOptions.Web));
        }
        catch (Exception ex)
        {
            // The change is committed and this node's pages heard it; the others notice the gap and re-read.
            _logger.LogWarning(ex, "Could not publish {Change} to the other nodes", change);
        }
    }

    /// <summary>While this node listens on the channel over a live connection; a connection that comes back calls <see cref="OnMissedEvents"/>.</summary>
    public bool HearsEveryEvent => Volatile.Read(ref _subscribed) && _subscriber.IsConnected(_channel);

    public IDisposable OnMissedEvents(Func<Task> handler)
    {
        ImmutableInterlocked.Update(ref _missedListeners, list => list.Add(handler));
        return new MissedListener(this, handler);
    }

    /// <summary>Hands one message to this node's subscribers; catches everything, so the queue goes on.</summary>
    private async Task ReceiveAsync(RedisValue message)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(message.ToString(), JsonSerializerOptions.Web);
            if (envelope is null || envelope.Node == _node)
            {
                return;
            }

            LockboxMetrics.Pushed(_time.GetUtcNow() - envelope.SentAt);
            if (Seen(envelope.Number))
            {
                await MissedAsync();
            }

            if (_types.TryGetValue(envelope.Type, out var deliver))
            {
                await deliver(envelope.Json);
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not read an event from the other nodes");
        }
    }

    /// <summary>Records a number; true when it skips past the highest one seen, so something in between never arrived.</summary>
    private bool Seen(long? number)
    {
        if (number is not { } seen)
        {
            return false;
        }

        lock (_numbersLock)
        {
            var gap = _lastNumber is { } last && seen > last + 1;
            if (_lastNumber is null || seen > _lastNumber)
            {
                _lastNumber = seen;
            }

            return gap;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Subscription)
        {
            _logger.LogInformation("The Redis connection is back; live pages read again in case they missed events");
            TrySubscribe();
            _ = MissedAsync();
        }
    }

    private async Task MissedAsync()
    {
        foreach (var listener in _missedListeners)
        {
            try
            {
                await listener();
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "A listener for missed events failed");
            }
        }
    }

    private static string TypeName<TEvent>() => typeof(TEvent).FullName!;

    public void Dispose() => _redis.ConnectionRestored -= OnConnectionRestored;

    private sealed record Envelope(string Node, long? Number, DateTimeOffset SentAt, string Type, string Json);

    private sealed class MissedListener(RedisEventTransport owner, Func<Task> handler) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref owner._missedListeners, list => list.Remove(handler));
    }
}
