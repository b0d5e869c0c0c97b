using System.Collections.Immutable;
using System.Security.Claims;
using LockboxPortal.Features.AccessRequests.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace LockboxPortal.Features.AccessRequests.Components;

public sealed partial class DecisionQueue : IDisposable
{
    private const int NoticesKept = 5;

    private IReadOnlyList<RequestRow> _rows = [];
    private ImmutableHashSet<Guid> _shown = [];
    private readonly Dictionary<Guid, RowActivity> _activity = [];
    private readonly List<RequestEvent> _unread = [];
    private readonly HashSet<Guid> _decidedHere = [];
    private readonly List<string> _notices = [];
    private LiveAudience? _audience;
    private string? _viewerId;
    private string? _failure;
    private bool _loading = true;
    private bool _refreshing;
    private bool _readAgain;
    private bool _fromStorage;
    private IDisposable? _countShown;

    [Parameter, EditorRequired]
    public DecisionStage Stage { get; set; }

    /// <summary>
    /// The one tenant <see cref="Load"/> reads, or null for every tenant. A queue narrowed to one tenant does not
    /// speak for the whole: the navigation badge keeps counting every tenant's requests itself.
    /// </summary>
    [Parameter]
    public Guid? Tenant { get; set; }

    /// <summary>Reads the queue; true asks for storage itself, after the page may have missed events (a reconnection).</summary>
    [Parameter, EditorRequired]
    public Func<bool, Task<IReadOnlyList<RequestRow>>> Load { get; set; } = default!;

    [Parameter, EditorRequired]
    public Func<RequestRow, bool, DecisionInput, Task> Decide { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private string RejectVerb => StageWords.RefuseVerb(Stage);

    private int Columns => Stage == DecisionStage.Customer ? 11 : 10;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        _viewerId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        _audience = await Audiences.ForAsync(user);
        _countShown = Tenant is null ? Counts.ShowQueue(Stage) : null;
        await RefreshAsync();
    }

    private async Task OnLiveChangeAsync(LiveChange change)
    {
        _fromStorage |= change == LiveChange.Reconnected;
        if (change.Request is { } request)
        {
            _unread.Add(request);
        }

        if (change.Approvers is not null)
        {
            _audience = await Audiences.ForAsync((await AuthenticationState).User);
        }

        await RefreshAsync();
    }

    /// <summary>Runs on the publisher's thread: it only looks at the event, the rows shown and the audience.</summary>
    private bool Concerns(RequestEvent change) =>
        _shown.Contains(change.RequestId)
        || (Tenant is null || change.TenantId == Tenant) && _audience is { } audience && (Stage == DecisionStage.Customer
            ? (change.Status == RequestStatus.PendingCustomer || change.AwaitsRatification) && audience.MayConcernCustomerQueue(change)
            : change.Status == RequestStatus.PendingInternal && audience.MayConcernInternalQueue(change));

    /// <summary>Reads the queue again; requests that arrive while a read runs are folded into one more read.</summary>
    private async Task RefreshAsync()
    {
        if (_refreshing)
        {
            _readAgain = true;
            return;
        }

        _refreshing = true;
        try
        {
            do
            {
                _readAgain = false;
                await ReadAsync();
            }
            while (_readAgain);
        }
        finally
        {
            _refreshing = false;
        }
    }

    private async Task ReadAsync()
    {
        var before = _rows;
        var events = _unread.ToList();
        _unread.Clear();
        try
        {
            var fromStorage = _fromStorage;
            _fromStorage = false;
            _rows = await Load(fromStorage);
            _failure = null;
        }
        catch (LockboxRuleException ex)
        {
            _rows = [];
            _failure = ex.Message;
        }

        _shown = _rows.Select(r => r.Request.Id).ToImmutableHashSet();
        _loading = false;
        if (_failure is null && _countShown is not null)
        {
            Counts.ReportShown(Stage, _rows.Count);
        }

        NoteWhatHappened(before, events);
        StateHasChanged();
    }

    /// <summary>Marks rows someone else acted on, and says why rows left the queue.</summary>
    private void NoteWhatHappened(IReadOnlyList<RequestRow> before, IReadOnlyList<RequestEvent> events)
    {
        foreach (var change in events.Where(e => _shown.Contains(e.RequestId) && e.Kind == RequestEventKind.CustomerApproved))
        {
            _activity[change.RequestId] = new RowActivity("approved", change.ActorName, change.At);
        }

        var now = Time.GetUtcNow();
        foreach (var gone in before.Where(r => !_shown.Contains(r.Request.Id)))
        {
            _activity.Remove(gone.Request.Id);
            if (_decidedHere.Remove(gone.Request.Id))
            {
                continue;
            }

            var why = events.LastOrDefault(e => e.RequestId == gone.Request.Id);
            var notice = why is null
                ? gone.Request.ExpiresAt <= now ? $"{gone.Request.Reference} expired." : $"{gone.Request.Reference} no longer awaits you."
                : $"{gone.Request.Reference} {Describe(why)}.";
            _notices.Insert(0, notice);
        }

        if (_notices.Count > NoticesKept)
        {
            _notices.RemoveRange(NoticesKept, _notices.Count - NoticesKept);
        }
    }

    private static string Describe(RequestEvent change) => change.Kind switch
    {
        RequestEventKind.CustomerApproved or RequestEventKind.InternalApproved => $"was approved by {change.ActorName} just now",
        RequestEventKind.CustomerRejected => $"was rejected by {change.ActorName} just now",
        RequestEventKind.InternalDenied => $"was denied by {change.ActorName} just now",
        RequestEventKind.Cancelled => $"was cancelled by {change.ActorName} just now",
        RequestEventKind.Expired => "expired without a decision",
        _ => $"changed ({change.Kind}) by {change.ActorName}",
    };

    private async Task DecideAsync(RequestRow row, bool approve)
    {
        var parameters = new DialogParameters<DecisionDialog>
        {
            { d => d.Row, row },
            { d => d.Approve, approve },
            { d => d.Verb, RejectVerb },
        };
        var dialog = await Dialogs.ShowAsync<DecisionDialog>(approve ? "Approve" : RejectVerb, parameters);
        var result = await dialog.Result;
        if (result is not { Canceled: false, Data: DecisionInput input })
        {
            return;
        }

        try
        {
            _decidedHere.Add(row.Request.Id);
            await Decide(row, approve, input);
            Snackbar.Add($"{row.Request.Reference} {(approve ? "approved" : StageWords.Refused(Stage))}.", approve ? Severity.Success : Severity.Info);
        }
        catch (LockboxRuleException ex)
        {
            _decidedHere.Remove(row.Request.Id);
            if (DirectorySession.SignInAgainFor((await AuthenticationState).User, ex, "/" + Navigation.ToBaseRelativePath(Navigation.Uri)) is { } signInAgain)
            {
                // Signed in through the directory: it can prove the person again, then they come back here.
                Navigation.NavigateTo(signInAgain, forceLoad: true);
                return;
            }

            Snackbar.Add(ex.Message, Severity.Warning);
        }

        await RefreshAsync();
        if (_shown.Contains(row.Request.Id))
        {
            // Still waiting for others (a quorum): when it leaves later, say why.
            _decidedHere.Remove(row.Request.Id);
        }
    }

    public void Dispose()
    {
        _countShown?.Dispose();
    }
}
