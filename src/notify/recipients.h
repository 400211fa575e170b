// Who hears of what: the one rule, applied when a message is queued and again when it is sent
// (the recipient may have been disabled, chosen "none" or changed role or country meanwhile).
// Private to the notify module.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "identity/identity.h"
#include "notify/notify.h"

namespace cbrnhub::notify {

// The accounts that can be written to (enabled, with an address) and their choices, read in
// one transaction.
struct Recipients {
  static Result<Recipients> Read(storage::Transaction& txn);
  // Null when the account is disabled, has no address any more or does not exist.
  const identity::Mailable* Find(const std::string& user_id) const;
  Mode ModeOf(const std::string& user_id) const;

  std::vector<identity::Mailable> users;
  std::map<std::string, Mode> modes;
};

// Why `user` is not to hear of a record of `scope` whose event asks for `action`: a reason
// code of DropReasons(), "" when they are to hear of it.
std::string WhyNotTold(const identity::Mailable& user, Mode mode, access::Action action,
                       const access::RecordScope& scope);

}  // namespace cbrnhub::notify
