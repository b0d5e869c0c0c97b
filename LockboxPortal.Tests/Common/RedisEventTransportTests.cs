using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LockboxPortal.Tests.Common;

/// <summary>The Redis transport over a real Redis (test.sh starts one): two transports stand for two nodes.</summary>
public sealed class RedisEventTransportTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>A channel of this test's own, so other tests' events on the same Redis are not heard here.</summary>
    private readonly string _channel = "lockbox-test:" + Guid.NewGuid().ToString("N");

    public sealed record Ping(string Text);

    public sealed class RedisFactAttribute : FactAttribute
    {
        public RedisFactAttribute()
        {
            if (TestDatabase.Redis is null)
            {
                Skip = $"Needs a Redis: {TestDatabase.RedisVariable}=host:port (./test.sh sets it).";
            }
        }
    }

    [RedisFact]
    public async Task EventPublishedOnOneNode_ReachesTheOthersSubscribers_AndItsOwnOnce()
    {
        var (a, b) = (Node(Numbers(1, 2)), Node(Numbers()));
        var heardOnA = new List<string>();
        var heardOnB = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _owned.Add(a.Subscribe<Ping>(p => Add(heardOnA, p.Text)));
        _owned.Add(b.Subscribe<Ping>(p => Task.FromResult(heardOnB.TrySetResult(p.Text))));

        await a.PublishAsync(new Ping("filed"));

        Assert.Equal("filed", await heardOnB.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["filed"], heardOnA);
    }

    [RedisFact]
    public async Task NumberSkipped_TellsTheReceivingNodeItMissedEvents()
    {
        var (a, b) = (Node(Numbers(1, 2, 5)), Node(Numbers(), out var bRedis));
        // A subscription connection that drops and comes back (a busy machine's heartbeat can do that) also and
        // rightly reads as missed events; those are counted apart, so only the gap is asserted.
        var restored = 0;
        bRedis.ConnectionRestored += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription)
            {
                Interlocked.Increment(ref restored);
            }
        };
        var heard = new List<string>();
        var missed = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _owned.Add(b.OnMissedEvents(() => Task.FromResult(Interlocked.Increment(ref missed))));
        _owned.Add(b.Subscribe<Ping>(async p =>
        {
            await Add(heard, p.Text);
            (p.Text switch { "second" => second, "third" => third, _ => null })?.TrySetResult();
        }));

        await a.PublishAsync(new Ping("first"));
        await a.PublishAsync(new Ping("second"));
        await second.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Volatile.Read(ref restored), Volatile.Read(ref missed));
        await a.PublishAsync(new Ping("third"));
        await third.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // 3 and 4 never arrived: B re-reads, and still hears what did arrive.
        Assert.Equal(1 + Volatile.Read(ref restored), Volatile.Read(ref missed));
        Assert.Equal(["first", "second", "third"], heard);
    }

    [RedisFact]
    public async Task FailingSubscriber_DoesNotStopTheOthers_NorFailThePublisher()
    {
        var a = Node(Numbers(1));
        var heard = new List<string>();
        _owned.Add(a.Subscribe<Ping>(_ => throw new InvalidOperationException("a broken page")));
        _owned.Add(a.Subscribe<Ping>(p => Add(heard, p.Text)));

        await a.PublishAsync(new Ping("revoked"));

        Assert.Equal(["revoked"], heard);
    }

    [Fact]
    public async Task RedisUnreachable_PublishStillReachesThisNodesSubscribers()
    {
        var options = ConfigurationOptions.Parse("127.0.0.1:1");
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 200;
        var redis = ConnectionMultiplexer.Connect(options);
        _owned.Add(redis);
        var transport = new RedisEventTransport(redis, Numbers(1), new FakeTimeProvider(), NullLoggerFactory.Instance);
        var heard = new List<string>();
        _owned.Add(transport.Subscribe<Ping>(p => Add(heard, p.Text)));

        await transport.PublishAsync(new Ping("approved"));

        Assert.Equal(["approved"], heard);
    }

    private RedisEventTransport Node(NextEventNumber numbers) => Node(numbers, out _);

    private RedisEventTransport Node(NextEventNumber numbers, out ConnectionMultiplexer redis)
    {
        redis = ConnectionMultiplexer.Connect(TestDatabase.Redis!);
        _owned.Add(redis);
        var transport = new RedisEventTransport(redis, numbers, new FakeTimeProvider(), NullLoggerFactory.Instance, _channel);
        _owned.Add(transport);
        return transport;
    }

    /// <summary>The database's numbers as this node would take them: these, in turn.</summary>
    private static NextEventNumber Numbers(params long[] numbers)
    {
        var queue = new Queue<long>(numbers);
        return _ => Task.FromResult<long?>(queue.Dequeue());
    }

    private static Task Add(List<string> heard, string text)
    {
        lock (heard)
        {
            heard.Add(text);
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }
}
