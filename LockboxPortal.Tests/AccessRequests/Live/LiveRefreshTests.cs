using System.Collections.Concurrent;
using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.Approvers;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>The one component every live page uses to read again: it hears what concerns the page, and nothing after it is gone.</summary>
public sealed class LiveRefreshTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Guid Shown = Guid.NewGuid();
    private static readonly Guid Tenant = Guid.NewGuid();

    private readonly RequestNotifier _requests;
    private readonly ApproverNotifier _approvers;
    private readonly CircuitConnection _connection = new();
    private readonly ConcurrentQueue<LiveChange> _refreshes = new();
    private int _asked;

    public LiveRefreshTests()
    {
        var transport = new InProcessEventTransport(NullLogger<InProcessEventTransport>.Instance);
        _requests = new RequestNotifier(transport, new DiscardedMessages(), TimeProvider.System);
        _approvers = new ApproverNotifier(transport);
    }

    [Fact]
    public async Task RequestEventThatConcernsThePage_ReadsItAgain_OneThatDoesNot_DoesNot()
    {
        await using var context = Create();
        var refreshed = Render(context);

        await _requests.PublishAsync(Event(Guid.NewGuid()));
        await _requests.PublishAsync(Event(Shown));

        var change = await refreshed.Task.WaitAsync(Patience);
        Assert.Equal(Shown, change.Request?.RequestId);
        Assert.Equal(2, _asked);
        Assert.Single(_refreshes);
    }

    [Fact]
    public async Task ApproverChangeThatConcernsThePage_ReadsItAgain_OneThatDoesNot_DoesNot()
    {
        await using var context = Create();
        var refreshed = Render(context);

        await _approvers.PublishAsync(new ApproverChange(Guid.NewGuid(), ApproverChangeKind.ApproverAdded, DateTimeOffset.UnixEpoch));
        await _approvers.PublishAsync(new ApproverChange(Tenant, ApproverChangeKind.PolicyChanged, DateTimeOffset.UnixEpoch));

        var change = await refreshed.Task.WaitAsync(Patience);
        Assert.Equal(ApproverChangeKind.PolicyChanged, change.Approvers?.Kind);
        Assert.Null(change.Request);
        Assert.Single(_refreshes);
    }

    [Fact]
    public async Task Reconnection_ReadsThePageAgain_ButTheFirstConnectionDoesNot()
    {
        await using var context = Create();
        var refreshed = Render(context);

        await _connection.OnConnectionUpAsync(null!, CancellationToken.None);
        Assert.Empty(_refreshes);
        await _connection.OnConnectionUpAsync(null!, CancellationToken.None);

        Assert.Same(LiveChange.Reconnected, await refreshed.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Disposed_HearsNothing_AndReadsNothing()
    {
        await using var context = Create();
        Render(context);
        await _connection.OnConnectionUpAsync(null!, CancellationToken.None);

        await context.DisposeComponentsAsync();
        await _requests.PublishAsync(Event(Shown));
        await _approvers.PublishAsync(new ApproverChange(Tenant, ApproverChangeKind.ApproverRemoved, DateTimeOffset.UnixEpoch));
        await _connection.OnConnectionUpAsync(null!, CancellationToken.None);

        // The filters run inside the publisher's call, so nobody asking them means nobody is subscribed any more.
        Assert.Equal(0, _asked);
        Assert.Empty(_refreshes);
    }

    private BunitContext Create()
    {
        var context = ComponentTestContext.Create(new FakeTimeProvider());
        context.Services.AddSingleton(_requests);
        context.Services.AddSingleton(_approvers);
        context.Services.AddSingleton(_connection);
        return context;
    }

    /// <summary>A page that shows request <see cref="Shown"/> and cares about <see cref="Tenant"/>'s approvers.</summary>
    private TaskCompletionSource<LiveChange> Render(BunitContext context)
    {
        var refreshed = new TaskCompletionSource<LiveChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Render<LiveRefresh>(parameters => parameters
            .Add(p => p.ConcernsRequest, change =>
            {
                Interlocked.Increment(ref _asked);
                return change.RequestId == Shown;
            })
            .Add(p => p.ConcernsApprovers, change =>
            {
                Interlocked.Increment(ref _asked);
                return change.TenantId == Tenant;
            })
            .Add(p => p.Refresh, change =>
            {
                _refreshes.Enqueue(change);
                refreshed.TrySetResult(change);
                return Task.CompletedTask;
            }));
        return refreshed;
    }

    private static RequestEvent Event(Guid requestId) => new(
        requestId, "LBX-2026-000001", Tenant, "engineer", RequestStatus.PendingCustomer, RequestEventKind.InternalApproved, "Mia Manager", DateTimeOffset.UnixEpoch);

    /// <summary>These tests watch live refreshes only; what the notifier hands to the outbox is not their concern.</summary>
    private sealed class DiscardedMessages : LockboxPortal.Data.IOutboundMessages
    {
        public Task HandOffAsync(LockboxPortal.Data.LockboxDbContext db, LockboxPortal.Data.OutboundMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
