using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LockboxPortal.Tests.Common;

public sealed class EventTransportTests
{
    [Fact]
    public async Task Notifiers_PublishAndSubscribe_ThroughTheRegisteredTransport()
    {
        var transport = new RecordingTransport();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IEventTransport>(transport));
        var heard = new List<RequestEvent>();
        using var subscription = harness.Notifier.Subscribe(change =>
        {
            heard.Add(change);
            return Task.CompletedTask;
        });

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        await harness.Services.GetRequiredService<ApproverNotifier>().PublishAsync(new ApproverChange(harness.Contoso, ApproverChangeKind.ApproverRemoved, ServiceHarness.Start));

        var published = Assert.Single(transport.Published.OfType<RequestEvent>());
        Assert.Equal((filed.Id, RequestEventKind.Filed), (published.RequestId, published.Kind));
        Assert.Equal(ApproverChangeKind.ApproverRemoved, Assert.Single(transport.Published.OfType<ApproverChange>()).Kind);
        Assert.Contains(typeof(RequestEvent), transport.Subscribed);
        Assert.Equal([published], heard);
    }

    [Fact]
    public async Task OneFailingSubscriber_NeverStopsTheOthers_NorFailsThePublisher()
    {
        var transport = new InProcessEventTransport(NullLogger<InProcessEventTransport>.Instance);
        var heard = new List<string>();
        using var first = transport.Subscribe<string>(e => Record(heard, "first", e));
        using var failing = transport.Subscribe<string>(_ => throw new InvalidOperationException("this page has gone"));
        using var failingLater = transport.Subscribe<string>(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("so has this one");
        });
        using var last = transport.Subscribe<string>(e => Record(heard, "last", e));

        await transport.PublishAsync("filed");

        Assert.Equal(["first:filed", "last:filed"], heard);
    }

    [Fact]
    public async Task AFailingSubscriber_DoesNotFailTheOperationThatPublished()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var heard = new List<RequestEventKind>();
        using var failing = harness.Notifier.Subscribe(_ => throw new InvalidOperationException("this page has gone"));
        using var listening = harness.Notifier.Subscribe(change =>
        {
            heard.Add(change.Kind);
            return Task.CompletedTask;
        });

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        Assert.Equal(RequestStatus.PendingInternal, filed.Status);
        Assert.Equal([RequestEventKind.Filed], heard);
    }

    [Fact]
    public async Task Subscribers_HearOnlyTheirEventType_AndNothingOnceDisposed()
    {
        var transport = new InProcessEventTransport(NullLogger<InProcessEventTransport>.Instance);
        var heard = new List<string>();
        var subscription = transport.Subscribe<string>(e => Record(heard, "text", e));

        await transport.PublishAsync(42);
        await transport.PublishAsync("one");
        subscription.Dispose();
        await transport.PublishAsync("two");

        Assert.Equal(["text:one"], heard);
    }

    private static Task Record(List<string> heard, string who, string change)
    {
        heard.Add($"{who}:{change}");
        return Task.CompletedTask;
    }

    /// <summary>A transport of the test's own: what reaches it can only have come through the seam.</summary>
    private sealed class RecordingTransport : IEventTransport
    {
        private readonly InProcessEventTransport _inner = new(NullLogger<InProcessEventTransport>.Instance);

        public List<object> Published { get; } = [];

        public List<Type> Subscribed { get; } = [];

        public IDisposable Subscribe<TEvent>(Func<TEvent, Task> handler)
        {
            Subscribed.Add(typeof(TEvent));
            return _inner.Subscribe(handler);
        }

        public Task PublishAsync<TEvent>(TEvent change)
        {
            Published.Add(change!);
            return _inner.PublishAsync(change);
        }

        public IDisposable OnMissedEvents(Func<Task> handler) => _inner.OnMissedEvents(handler);

        public bool HearsEveryEvent => _inner.HearsEveryEvent;
    }
}
