// The core's one intrusive list: Linux's list_head, typed. An object is
// linked through a ListNode member, so it can leave any list without
// knowing which one it is on, whole lists move in O(1), and nothing is
// allocated to link it (lists are changed with interrupts off).
//
//   struct Work { base::ListNode entry; ... };
//   base::List<Work, &Work::entry> worklist;
//   worklist.push_back(work);             // list_add_tail()
//   for (Work& each : worklist)           // list_for_each_entry_safe():
//       if (done(each))                   // the loop may unlink 'each'
//           base::List<Work, &Work::entry>::remove(each);
//
// A node is either on exactly one list or unlinked (pointing at itself,
// as after list_del_init()), so linked() is always meaningful.
#pragma once

#include <stddef.h>

namespace irqlab::base {

class ListNode {
public:
    ListNode() = default;
    // Nodes are identities; copying one would corrupt two lists.
    ListNode(const ListNode&) = delete;
    ListNode& operator=(const ListNode&) = delete;

    bool linked() const { return next_ != this; }

    // list_del_init().
    void unlink() {
        prev_->next_ = next_;
        next_->prev_ = prev_;
        next_ = prev_ = this;
    }

private:
    template <typename T, ListNode T::*Link>
    friend class List;
    friend class ListHead;

    void insert_between(ListNode* prev, ListNode* next) {
        next->prev_ = this;
        next_ = next;
        prev_ = prev;
        prev->next_ = this;
    }

    ListNode* next_ = this;
    ListNode* prev_ = this;
};

// A list of T linked through their 'Link' member, oldest first when filled
// with push_back().
template <typename T, ListNode T::*Link>
class List {
public:
    // Item is T or const T, Node ListNode or const ListNode.
    template <typename Item, typename Node>
    class BasicIterator {
    public:
        Item& operator*() const { return List::owner(*node_); }
        Item* operator->() const { return &List::owner(*node_); }
        // Reads the successor before the body runs: unlinking the current
        // element inside the loop is safe (list_for_each_entry_safe()).
        BasicIterator& operator++() {
            node_ = next_;
            next_ = node_->next_;
            return *this;
        }
        bool operator==(const BasicIterator& other) const { return node_ == other.node_; }

    private:
        friend class List;
        explicit BasicIterator(Node* node) : node_{node}, next_{node->next_} {}
        Node* node_;
        Node* next_;
    };
    using Iterator = BasicIterator<T, ListNode>;
    using ConstIterator = BasicIterator<const T, const ListNode>;

    List() = default;
    List(const List&) = delete;
    List& operator=(const List&) = delete;

    bool empty() const { return !head_.linked(); }
    T* front() { return empty() ? nullptr : &owner(*head_.next_); }
    T* back() { return empty() ? nullptr : &owner(*head_.prev_); }
    // The element after 'item', or null at the end.
    T* next(T& item) {
        ListNode* node = (item.*Link).next_;
        return node == &head_ ? nullptr : &owner(*node);
    }

    // list_add_tail() and list_add(): 'item' must be unlinked.
    void push_back(T& item) { (item.*Link).insert_between(head_.prev_, &head_); }
    void push_front(T& item) { (item.*Link).insert_between(&head_, head_.next_); }
    T* pop_front() {
        T* item = front();
        if (item)
            remove(*item);
        return item;
    }
    // list_add_tail(&item, &position): 'item' (unlinked) just before
    // 'position', for lists kept in an order.
    static void insert_before(T& position, T& item) {
        ListNode& node = position.*Link;
        (item.*Link).insert_between(node.prev_, &node);
    }
    // list_del_init(): off whatever list it is on.
    static void remove(T& item) { (item.*Link).unlink(); }
    static bool linked(const T& item) { return (item.*Link).linked(); }
    // list_replace_init(): 'with' (unlinked) takes the place of 'item'.
    static void replace(T& item, T& with) {
        ListNode& node = item.*Link;
        (with.*Link).insert_between(node.prev_, node.next_);
        node.next_ = node.prev_ = &node;
    }
    // list_splice_tail_init(): all of 'other' at the end of this list.
    void splice_back(List& other) {
        if (other.empty())
            return;
        ListNode* first = other.head_.next_;
        ListNode* last = other.head_.prev_;
        first->prev_ = head_.prev_;
        head_.prev_->next_ = first;
        last->next_ = &head_;
        head_.prev_ = last;
        other.head_.next_ = other.head_.prev_ = &other.head_;
    }

    Iterator begin() { return Iterator{head_.next_}; }
    Iterator end() { return Iterator{&head_}; }
    ConstIterator begin() const { return ConstIterator{head_.next_}; }
    ConstIterator end() const { return ConstIterator{&head_}; }

    // container_of(node, T, Link).
    static T& owner(ListNode& node) {
        return *reinterpret_cast<T*>(reinterpret_cast<char*>(&node) - link_offset());
    }
    static const T& owner(const ListNode& node) {
        return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(&node) - link_offset());
    }

private:
    // offsetof() for a member pointer: the address arithmetic of
    // container_of, on storage that is never read (the compiler folds it
    // to a constant).
    static ptrdiff_t link_offset() {
        alignas(T) char probe[sizeof(T)];
        T* object = reinterpret_cast<T*>(probe);
        return reinterpret_cast<char*>(&(object->*Link)) - probe;
    }

    ListNode head_;
};

} // namespace irqlab::base
