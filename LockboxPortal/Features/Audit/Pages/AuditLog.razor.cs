using LockboxPortal.Features.AccessRequests;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using System.Security.Claims;

namespace LockboxPortal.Features.Audit.Pages;

/// <summary>
/// A security officer's (or the provider admin's) view of one chain: filters, keyset paging newest first,
/// exports of the filtered set and a verify button. Paging never counts the whole chain, so it stays fast.
/// </summary>
public partial class AuditLog
{
    private const int PageSize = 50;

    private IReadOnlyList<AuditChainInfo> _chains = [];
    private AuditChainInfo? _chain;
    private AuditQuery? _query;
    private AuditPage _page = new([], false, false);
    private AuditVerification? _verification;
    private ClaimsPrincipal _user = new();
    private string? _error;
    private bool _loaded;
    private bool _verifying;

    private DateTime? _fromDate;
    private DateTime? _toDate;
    private AuditEventType? _eventType;
    private string? _actor;
    private string? _reference;

    [Inject]
    private AuditService Audit { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The chain to open: a tenant id, or <c>provider</c>.</summary>
    [SupplyParameterFromQuery(Name = "chain")]
    public string? ChainKey { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthenticationState).User;
        _chains = await Audit.ListReadableChainsAsync(_user);
        var key = ChainKey ?? _chains.FirstOrDefault()?.Key;
        if (key is not null)
        {
            await OpenAsync(key);
        }

        _loaded = true;
    }

    private async Task OpenAsync(string key)
    {
        _verification = null;
        _error = null;
        if (!AuditChainInfo.TryParseKey(key, out var tenantId))
        {
            _chain = null;
            _error = "No such audit trail.";
            return;
        }

        _chain = _chains.FirstOrDefault(c => c.TenantId == tenantId);
        _query = BuildQuery(tenantId);
        await LoadAsync(new AuditPageRequest(Size: PageSize));
    }

    private async Task LoadAsync(AuditPageRequest request)
    {
        try
        {
            _page = await Audit.QueryAsync(_user, _query!, request);
        }
        catch (LockboxRuleException ex)
        {
            // The service decides and records the refusal; the page only says so.
            _chain = null;
            _page = new([], false, false);
            _error = ex.Message;
        }
    }

    private async Task ChangeChainAsync(string key)
    {
        await OpenAsync(key);
        Navigation.NavigateTo($"audit?chain={Uri.EscapeDataString(key)}", replace: true);
    }

    private AuditQuery BuildQuery(Guid? tenantId) => new(tenantId)
    {
        From = _fromDate is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from.Date, DateTimeKind.Utc)) : null,
        To = _toDate is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to.Date.AddDays(1), DateTimeKind.Utc)) : null,
        EventType = _eventType,
        Actor = string.IsNullOrWhiteSpace(_actor) ? null : _actor.Trim(),
        RequestReference = string.IsNullOrWhiteSpace(_reference) ? null : _reference.Trim(),
    };

    private async Task ApplyAsync()
    {
        if (_chain is null)
        {
            return;
        }

        _query = BuildQuery(_chain.TenantId);
        await LoadAsync(new AuditPageRequest(Size: PageSize));
    }

    private async Task ClearAsync()
    {
        (_fromDate, _toDate, _eventType, _actor, _reference) = (null, null, null, null, null);
        await ApplyAsync();
    }

    private Task NewestAsync() => LoadAsync(new AuditPageRequest(Size: PageSize));

    private Task NewerAsync() => _page.Entries.Count == 0 ? NewestAsync() : LoadAsync(new AuditPageRequest(After: _page.Entries[0].Sequence, Size: PageSize));

    private Task OlderAsync() => _page.Entries.Count == 0 ? NewestAsync() : LoadAsync(new AuditPageRequest(Before: _page.Entries[^1].Sequence, Size: PageSize));

    private async Task VerifyAsync()
    {
        if (_chain is null)
        {
            return;
        }

        _verifying = true;
        try
        {
            _verification = await Audit.VerifyAsync(_user, _chain.TenantId);
        }
        catch (LockboxRuleException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _verifying = false;
        }
    }

    private string ExportUrl(string format)
    {
        var query = _query ?? new AuditQuery(_chain?.TenantId);
        var parts = new List<string> { $"chain={Uri.EscapeDataString(_chain?.Key ?? "")}", $"format={format}" };
        if (query.From is { } from)
        {
            parts.Add($"from={Uri.EscapeDataString(from.ToString("O"))}");
        }

        if (query.To is { } to)
        {
            parts.Add($"to={Uri.EscapeDataString(to.ToString("O"))}");
        }

        if (query.EventType is { } type)
        {
            parts.Add($"eventType={type}");
        }

        if (query.Actor is { } actor)
        {
            parts.Add($"actor={Uri.EscapeDataString(actor)}");
        }

        if (query.RequestReference is { } reference)
        {
            parts.Add($"reference={Uri.EscapeDataString(reference)}");
        }

        return "audit/export?" + string.Join('&', parts);
    }

    private static string Shorten(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}
