#include "ha/survivor_rule.h"

#include <vector>

#include "common/check.h"

namespace poolha::ha {
namespace {

using wire::Phase;

bool linked(const DecideInput& in, HostIndex a, HostIndex b) {
  return in.rows[a].view.hb_domain.contains(b) && in.rows[b].view.hb_domain.contains(a);
}

// Connected components of the network graph restricted to `hosts`, in index order.
std::vector<HostSet> components(const DecideInput& in, const HostSet& hosts) {
  std::vector<HostSet> out;
  HostSet seen;
  hosts.for_each([&](HostIndex start) {
    if (seen.contains(start)) return;
    HostSet comp;
    std::vector<HostIndex> stack{start};
    seen.insert(start);
    while (!stack.empty()) {
      HostIndex h = stack.back();
      stack.pop_back();
      comp.insert(h);
      hosts.for_each([&](HostIndex o) {
        if (!seen.contains(o) && linked(in, h, o)) {
          seen.insert(o);
          stack.push_back(o);
        }
      });
    }
    out.push_back(comp);
  });
  return out;
}

// Shrinks a component until every pair of its hosts hears each other, dropping
// joiners before voters (joiners only ride along, and a component that keeps
// a voter can still win), then the least connected host first (then the
// lighter, then the higher index).
HostSet reduce_to_clique(const DecideInput& in, HostSet comp, const HostSet& voters) {
  for (;;) {
    HostIndex worst = kNoHost;
    std::size_t worst_degree = 0;
    bool is_clique = true;
    comp.for_each([&](HostIndex h) {
      std::size_t degree = 0;
      comp.for_each([&](HostIndex o) {
        if (o != h && linked(in, h, o)) ++degree;
      });
      if (degree + 1 != comp.size()) is_clique = false;
      const bool voter = voters.contains(h);
      const bool worst_voter = worst != kNoHost && voters.contains(worst);
      bool worse = worst == kNoHost || (!voter && worst_voter) ||
                   (voter == worst_voter &&
                    (degree < worst_degree ||
                     (degree == worst_degree && in.weights[h] < in.weights[worst]) ||
                     (degree == worst_degree && in.weights[h] == in.weights[worst] && h > worst)));
      if (worse) {
        worst = h;
        worst_degree = degree;
      }
    });
    if (is_clique) return comp;
    comp.erase(worst);
  }
}

struct Score {
  bool isolation_reachable = false;
  std::uint64_t weight = 0;
  HostIndex lowest = kNoHost;
  bool better_than(const Score& o) const {
    if (isolation_reachable != o.isolation_reachable) return isolation_reachable;
    if (weight != o.weight) return weight > o.weight;
    return lowest < o.lowest;
  }
};

Score score_of(const DecideInput& in, const HostSet& voters) {
  Score s;
  s.lowest = voters.lowest();
  voters.for_each([&](HostIndex h) {
    s.weight += in.weights[h];
    if (in.rows[h].view.has(wire::kFlagIsolationReachable)) s.isolation_reachable = true;
  });
  return s;
}

bool any_link(const DecideInput& in, const HostSet& hosts) {
  bool found = false;
  hosts.for_each([&](HostIndex a) {
    hosts.for_each([&](HostIndex b) {
      if (a < b && linked(in, a, b)) found = true;
    });
  });
  return found;
}

// The current master's own proposal to hand the role to another member.
bool handover_requested(const DecideInput& in, wire::Membership* out) {
  const wire::Membership& cur = *in.current;
  if (cur.master == kNoHost) return false;
  const HostRow& row = in.rows[cur.master];
  if (!row.fresh || !cur.contains(cur.master, row.incarnation) || !row.view.has_proposal) {
    return false;
  }
  const wire::Membership& p = row.view.proposal;
  wire::Membership same = cur;
  same.epoch = cur.epoch + 1;
  same.master = p.master;
  if (p.master == cur.master || !cur.members.contains(p.master) || !p.same_as(same)) return false;
  *out = p;
  return true;
}

}  // namespace

Decision decide_liveset(const DecideInput& in) {
  POOLHA_CHECK(in.current != nullptr, "decide_liveset needs the current membership");
  POOLHA_CHECK(in.rows.size() == in.host_count && in.weights.size() == in.host_count,
               "one row and one weight per host");
  const wire::Membership& cur = *in.current;
  const bool reform = in.mode == DecideMode::kReform;
  Decision d;

  // Candidates: hosts with statefile access that want to be in the next liveset.
  // Voters are the candidates whose partition can win: members (or, when
  // re-forming, members of the latest liveset); joiners only ride along.
  HostSet candidates, voters, leaving;
  for (HostIndex h = 0; h < in.host_count; ++h) {
    const HostRow& r = in.rows[h];
    if (!r.fresh || !r.view.has(wire::kFlagStorageAccess)) continue;
    if (reform) {
      if (r.view.phase != Phase::kJoining || !r.view.has(wire::kFlagReform)) continue;
      candidates.insert(h);
      if (cur.members.empty() || cur.members.contains(h)) voters.insert(h);
    } else if (cur.contains(h, r.incarnation)) {
      const bool active = r.view.phase == Phase::kMember || r.view.phase == Phase::kJoining;
      if (!active) continue;
      candidates.insert(h);
      voters.insert(h);
      // A leaving member still votes (it can hand the pool to a joiner) but
      // is never part of the next liveset.
      if (r.view.has(wire::kFlagLeaving)) leaving.insert(h);
    } else if (!cur.members.contains(h) && r.view.phase == Phase::kJoining &&
               r.view.has(wire::kFlagJoinRequest)) {
      candidates.insert(h);
    }
  }

  if (voters.empty()) {
    d.why = reform ? "no host of the latest liveset is ready to re-form"
                   : "no member has statefile access";
    return d;
  }
  if (in.require_all && candidates != HostSet::first_n(in.host_count)) {
    d.why = "HA enable waits for every host on the statefile (have " + candidates.to_string() + ")";
    return d;
  }
  // Decide only on views that are settled: nobody close to timing out a peer.
  HostSet unsteady;
  (reform ? candidates : voters).for_each([&](HostIndex h) {
    if (!in.rows[h].view.has(wire::kFlagSteady)) unsteady.insert(h);
  });
  if (!unsteady.empty()) {
    d.why = "waiting for steady views from " + unsteady.to_string();
    return d;
  }

  HostSet winners;
  if (!reform && voters.size() >= 2 && !any_link(in, voters) &&
      !score_of(in, voters).isolation_reachable) {
    // No voter hears any other on the network and none reaches its isolation
    // address: the management network is down everywhere. Fencing cannot move
    // a VM anywhere better, and every voter still proves it is alive through
    // the statefile, so all of them stay.
    winners = voters - leaving;
    d.network_lost = true;
    d.why = "management network lost everywhere; every host with statefile access stays";
  } else {
    HostSet best;
    Score best_score;
    for (const HostSet& comp : components(in, candidates)) {
      HostSet clique = reduce_to_clique(in, comp, voters);
      HostSet clique_voters = clique & voters;
      if (clique_voters.empty()) continue;
      Score s = score_of(in, clique_voters);
      if (best.empty() || s.better_than(best_score)) {
        best = clique;
        best_score = s;
      }
    }
    POOLHA_CHECK(!best.empty(), "a partition with a voter always exists");
    winners = best - leaving;
    d.why = "partition " + best.to_string() +
            (best_score.isolation_reachable ? " reaches its isolation address" : "") + ", weight " +
            std::to_string(best_score.weight);
  }
  if (in.require_all && winners != HostSet::first_n(in.host_count)) {
    d.why = "HA enable waits until every host hears every other (best partition " +
            winners.to_string() + ")";
    return d;
  }

  if (winners.empty()) {
    d.why = "the last members are leaving and nobody can take over";
    return d;
  }

  wire::Membership next;
  next.epoch = cur.epoch + 1;
  next.members = winners;
  winners.for_each([&](HostIndex h) { next.incarnation[h] = in.rows[h].incarnation; });
  if (cur.master != kNoHost && winners.contains(cur.master)) {
    next.master = cur.master;
  } else {
    HostSet pool = winners & (voters - leaving);
    next.master = (pool.empty() ? winners : pool).lowest();
  }

  if (!reform) {
    wire::Membership unchanged = cur;
    unchanged.epoch = next.epoch;
    if (next.same_as(unchanged)) {
      wire::Membership handover;
      if (handover_requested(in, &handover)) {
        d.kind = Decision::Kind::kPropose;
        d.proposal = handover;
        d.why = "master hands over to h" + std::to_string(handover.master);
        return d;
      }
      d.kind = Decision::Kind::kNoChange;
      return d;
    }
  }
  d.kind = Decision::Kind::kPropose;
  d.proposal = next;
  return d;
}

}  // namespace poolha::ha
